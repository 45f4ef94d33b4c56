#include "auth/accounts.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>

#include "base/clock.h"
#include "base/ids.h"
#include "store/testing/mem_doc_store.h"

namespace opsflow::auth {
namespace {

using store::testing::MemDocStore;

constexpr int64_t kMinute = 60 * 1000;

class AccountsTest : public ::testing::Test {
 protected:
  MemDocStore docs_;
  base::FakeClock clock_;
  Accounts accounts_{&docs_, &clock_, {.token_ttl_ms = 60 * kMinute}};
};

TEST_F(AccountsTest, CreateAndDuplicate) {
  EXPECT_TRUE(*accounts_.Empty());
  auto a = accounts_.Create("alice", "password1", false);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(base::IsObjectId(a->id));
  EXPECT_FALSE(a->admin);
  EXPECT_FALSE(*accounts_.Empty());
  auto dup = accounts_.Create("alice", "password2", true);
  EXPECT_EQ(dup.status().code(), base::Code::kAlreadyExists);
  // The stored record holds an argon2id hash, never the password.
  std::string rec = *docs_.Get("account", "alice");
  EXPECT_NE(rec.find("$argon2id$"), std::string::npos);
  EXPECT_EQ(rec.find("password1"), std::string::npos);
}

TEST_F(AccountsTest, CreateRejectsBadInput) {
  EXPECT_EQ(accounts_.Create("", "password1", false).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(accounts_.Create("bob", "short", false).status().code(), base::Code::kInvalidArgument);
  EXPECT_EQ(accounts_.Create("bo\nb", "password1", false).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_EQ(accounts_.Create("bob", "password1", false, {"no-such-group"}).status().code(),
            base::Code::kInvalidArgument);
  EXPECT_TRUE(*accounts_.Empty());
}

TEST_F(AccountsTest, LoginSuccessAndIdenticalFailures) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", true).ok());
  auto tok = accounts_.Login("alice", "password1");
  ASSERT_TRUE(tok.ok());
  EXPECT_EQ(tok->size(), 64u);  // 256 random bits as hex
  EXPECT_EQ(docs_.Get("token", *tok).status().code(), base::Code::kNotFound);  // stored hashed
  EXPECT_TRUE(docs_.Get("token", Sha256Hex(*tok)).ok());
  auto who = accounts_.Authenticate(*tok);
  ASSERT_TRUE(who.ok());
  EXPECT_EQ(who->username, "alice");
  EXPECT_TRUE(who->admin);

  auto wrong = accounts_.Login("alice", "password2");
  auto unknown = accounts_.Login("nobody", "password1");
  EXPECT_EQ(wrong.status().code(), base::Code::kUnauthenticated);
  EXPECT_EQ(unknown.status().code(), base::Code::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  EXPECT_EQ(wrong.status().message(), "Invalid username or password");
}

TEST_F(AccountsTest, ThrottlesAnAddressButNotTheAccountElsewhere) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", false).ok());
  const std::string bad = "10.0.0.66", good = "10.0.0.7";
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_.Login("alice", "wrongpass", bad).status().code(),
              base::Code::kUnauthenticated);
  }
  // From the failing address even the right password waits, with the time left.
  int64_t retry = 0;
  auto held = accounts_.Login("alice", "password1", bad, &retry);
  EXPECT_EQ(held.status().code(), base::Code::kResourceExhausted);
  EXPECT_EQ(held.status().message(), "too many failed logins; try again in 1 seconds");
  EXPECT_EQ(retry, 1);
  // The account itself is not locked: another address logs in at once.
  EXPECT_TRUE(accounts_.Login("alice", "password1", good).ok());
  clock_.Advance(1000);
  EXPECT_TRUE(accounts_.Login("alice", "password1", bad).ok());
}

TEST_F(AccountsTest, UnknownUsersAreThrottledAlike) {
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(accounts_.Login("ghost", "whatever1", "10.0.0.1").status().code(),
              base::Code::kUnauthenticated);
  }
  EXPECT_EQ(accounts_.Login("ghost", "whatever1", "10.0.0.1").status().code(),
            base::Code::kResourceExhausted);
}

TEST_F(AccountsTest, UnlockClearsTheAccountsDelays) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", false).ok());
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(accounts_.Login("alice", "wrongpass", "10.0.0.66").ok());
  EXPECT_EQ(accounts_.Login("alice", "password1", "10.0.0.66").status().code(),
            base::Code::kResourceExhausted);
  EXPECT_EQ(accounts_.Unlock("alice"), 1u);
  EXPECT_TRUE(accounts_.Login("alice", "password1", "10.0.0.66").ok());
  EXPECT_EQ(accounts_.Unlock("alice"), 0u);
}

TEST_F(AccountsTest, SuccessResetsFailureCount) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", false).ok());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(accounts_.Login("alice", "wrongpass").ok());
  EXPECT_TRUE(accounts_.Login("alice", "password1").ok());
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(accounts_.Login("alice", "wrongpass").ok());
  EXPECT_TRUE(accounts_.Login("alice", "password1").ok());
}

TEST_F(AccountsTest, TokenExpiresAfterTtl) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", false).ok());
  auto tok = accounts_.Login("alice", "password1");
  ASSERT_TRUE(tok.ok());
  clock_.Advance(60 * kMinute - 1);
  EXPECT_TRUE(accounts_.Authenticate(*tok).ok());
  // A second process (no cache) agrees.
  Accounts other(&docs_, &clock_);
  EXPECT_TRUE(other.Authenticate(*tok).ok());
  clock_.Advance(1);
  EXPECT_EQ(accounts_.Authenticate(*tok).status().code(), base::Code::kUnauthenticated);
  Accounts fresh(&docs_, &clock_);
  EXPECT_EQ(fresh.Authenticate(*tok).status().code(), base::Code::kUnauthenticated);
}

TEST_F(AccountsTest, LogoutRevokes) {
  ASSERT_TRUE(accounts_.Create("alice", "password1", false).ok());
  auto t1 = accounts_.Login("alice", "password1");
  auto t2 = accounts_.Login("alice", "password1");
  ASSERT_TRUE(t1.ok() && t2.ok());
  accounts_.Logout(*t1);
  EXPECT_EQ(accounts_.Authenticate(*t1).status().code(), base::Code::kUnauthenticated);
  Accounts fresh(&docs_, &clock_);
  EXPECT_FALSE(fresh.Authenticate(*t1).ok());
  EXPECT_TRUE(accounts_.Authenticate(*t2).ok());  // only that token
}

TEST_F(AccountsTest, LastAdminIsProtected) {
  auto root = accounts_.Create("root", "password1", true);
  auto alice = accounts_.Create("alice", "password1", false);
  ASSERT_TRUE(root.ok() && alice.ok());
  EXPECT_EQ(accounts_.Remove(root->id).code(), base::Code::kFailedPrecondition);
  AccountPatch demote;
  demote.admin = false;
  EXPECT_EQ(accounts_.Update(root->id, demote).status().code(), base::Code::kFailedPrecondition);
  AccountPatch promote;
  promote.admin = true;
  ASSERT_TRUE(accounts_.Update(alice->id, promote).ok());
  EXPECT_TRUE(accounts_.Update(root->id, demote).ok());
  EXPECT_EQ(accounts_.Remove(alice->id).code(), base::Code::kFailedPrecondition);
  EXPECT_TRUE(accounts_.Remove(root->id).ok());
  EXPECT_EQ(accounts_.Get(root->id).status().code(), base::Code::kNotFound);
}

TEST_F(AccountsTest, RemoveRevokesTokens) {
  ASSERT_TRUE(accounts_.Create("root", "password1", true).ok());
  auto alice = accounts_.Create("alice", "password1", false);
  ASSERT_TRUE(alice.ok());
  auto tok = accounts_.Login("alice", "password1");
  ASSERT_TRUE(tok.ok());
  ASSERT_TRUE(accounts_.Remove(alice->id).ok());
  EXPECT_FALSE(accounts_.Authenticate(*tok).ok());
  EXPECT_EQ(docs_.Get("token", Sha256Hex(*tok)).status().code(), base::Code::kNotFound);
  EXPECT_EQ(accounts_.Remove(alice->id).code(), base::Code::kNotFound);
  EXPECT_EQ(accounts_.Remove("not-an-id").code(), base::Code::kNotFound);
}

TEST_F(AccountsTest, ForceLogoutRevokesEveryTokenOfOneAccount) {
  auto alice = accounts_.Create("alice", "password1", false);
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(accounts_.Create("bob", "password1", false).ok());
  auto t1 = accounts_.Login("alice", "password1");
  auto t2 = accounts_.Login("alice", "password1");
  auto bob = accounts_.Login("bob", "password1");
  ASSERT_TRUE(t1.ok() && t2.ok() && bob.ok());
  ASSERT_TRUE(accounts_.ForceLogout(alice->id).ok());
  EXPECT_FALSE(accounts_.Authenticate(*t1).ok());
  EXPECT_FALSE(accounts_.Authenticate(*t2).ok());
  EXPECT_EQ(docs_.Get("token", Sha256Hex(*t1)).status().code(), base::Code::kNotFound);
  EXPECT_TRUE(accounts_.Authenticate(*bob).ok());
  auto again = accounts_.Login("alice", "password1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(accounts_.Authenticate(*again).ok());
  EXPECT_EQ(accounts_.ForceLogout("not-an-id").code(), base::Code::kNotFound);
}

TEST_F(AccountsTest, PasswordChangeRevokesTokens) {
  auto alice = accounts_.Create("alice", "password1", false);
  ASSERT_TRUE(alice.ok());
  auto tok = accounts_.Login("alice", "password1");
  ASSERT_TRUE(tok.ok());
  AccountPatch p;
  p.password = "password2";
  ASSERT_TRUE(accounts_.Update(alice->id, p).ok());
  EXPECT_FALSE(accounts_.Authenticate(*tok).ok());
  EXPECT_FALSE(accounts_.Login("alice", "password1").ok());
  EXPECT_TRUE(accounts_.Login("alice", "password2").ok());
  p.password = "short";
  EXPECT_EQ(accounts_.Update(alice->id, p).status().code(), base::Code::kInvalidArgument);
}

TEST_F(AccountsTest, GroupsByNameOrIdAndSessionsSeeChanges) {
  auto ops = accounts_.groups().Create("ops", "operators", {"operator"});
  auto dev = accounts_.groups().Create("dev", "", {});
  ASSERT_TRUE(ops.ok() && dev.ok());
  auto alice = accounts_.Create("alice", "password1", false, {"ops", dev->id, "ops"});
  ASSERT_TRUE(alice.ok()) << alice.status().message();
  EXPECT_EQ(alice->groups, (std::vector<std::string>{ops->id, dev->id}));
  auto tok = accounts_.Login("alice", "password1");
  ASSERT_TRUE(tok.ok());
  AccountPatch p;
  p.groups = std::vector<std::string>{"dev"};
  ASSERT_TRUE(accounts_.Update(alice->id, p).ok());
  EXPECT_EQ(accounts_.Authenticate(*tok)->groups, std::vector<std::string>{dev->id});
  ASSERT_TRUE(accounts_.DeleteGroup(dev->id).ok());
  EXPECT_TRUE(accounts_.Authenticate(*tok)->groups.empty());
  EXPECT_TRUE(accounts_.Get(alice->id)->groups.empty());
  EXPECT_EQ(accounts_.DeleteGroup(dev->id).code(), base::Code::kNotFound);
}

TEST_F(AccountsTest, GroupNamesAreUnique) {
  Groups& g = accounts_.groups();
  auto a = g.Create("ops", "", {"r1", "r1"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->roles, std::vector<std::string>{"r1"});
  EXPECT_EQ(g.Create("ops", "again", {}).status().code(), base::Code::kAlreadyExists);
  EXPECT_EQ(g.Create("", "", {}).status().code(), base::Code::kInvalidArgument);
  auto b = g.Create("dev", "", {});
  ASSERT_TRUE(b.ok());
  GroupPatch rename;
  rename.name = "ops";
  EXPECT_EQ(g.Update(b->id, rename).status().code(), base::Code::kAlreadyExists);
  rename.name = "devs";
  auto renamed = g.Update(b->id, rename);
  ASSERT_TRUE(renamed.ok());
  EXPECT_EQ(renamed->name, "devs");
  EXPECT_EQ(g.FindByName("devs")->id, b->id);
  auto all = g.List();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].name, "devs");  // sorted by name
  EXPECT_EQ(g.Get("000000000000000000000000").status().code(), base::Code::kNotFound);
}

}  // namespace
}  // namespace opsflow::auth
