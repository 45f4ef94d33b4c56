// Accounts and tokens (SPEC §3): argon2id password hashes (libsodium), random 256-bit tokens
// stored only as SHA-256 hashes, with an expiry. Accounts (kind "account", keyed by username),
// groups (kind "group", keyed by id) and token hashes (kind "token") live in the DocStore;
// tokens are also cached in memory so checking one costs a hash and a map lookup. Failed logins
// are throttled per source address and per username-and-address (auth/throttle.h).
// Thread-safety: all methods are safe from any thread. Administrative changes (create, update,
// remove, group deletion) are serialised by one mutex within this process.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "auth/groups.h"
#include "auth/throttle.h"
#include "base/clock.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::auth {

struct Account {
  std::string id;  // ObjectId
  std::string username;
  bool admin = false;
  std::vector<std::string> groups;  // group ids
  std::string created;              // ISO-8601; "" for records written before it was kept
  std::string last_updated;
};

// The fields an administrator may change; absent fields stay as they are.
struct AccountPatch {
  std::optional<std::string> password;
  std::optional<bool> admin;
  std::optional<std::vector<std::string>> groups;  // group names or ids
};

struct AuthOptions {
  int64_t token_ttl_ms = 3600 * 1000;
  ThrottleOptions throttle = {};
};

class Accounts {
 public:
  Accounts(store::DocStore* docs, base::Clock* clock, AuthOptions opts = {});

  // True when no account exists yet.
  base::Result<bool> Empty();
  // Creates an account in the given groups (names or ids). AlreadyExists if the username is
  // taken, InvalidArgument for a bad username, password or group.
  base::Result<Account> Create(const std::string& username, const std::string& password, bool admin,
                               const std::vector<std::string>& groups = {});
  // Checks a password and issues a token. Unauthenticated (same message for unknown users and
  // wrong passwords) on failure; ResourceExhausted ("too many failed logins; try again in N
  // seconds", N also in `*retry_after_s` when given) while `address` or the username from
  // `address` is throttled (auth/throttle.h).
  base::Result<std::string> Login(const std::string& username, const std::string& password,
                                  const std::string& address = "",
                                  int64_t* retry_after_s = nullptr);
  // Clears the login throttle of `username` from every address (an admin's unlock). Returns how
  // many addresses had failures counted for it.
  size_t Unlock(const std::string& username) { return throttle_.Unlock(username); }
  // The account a token belongs to. Unauthenticated when unknown, revoked or expired.
  base::Result<Account> Authenticate(const std::string& token);
  void Logout(const std::string& token);
  int64_t token_ttl_ms() const { return opts_.token_ttl_ms; }

  // Every account, sorted by username.
  base::Result<std::vector<Account>> List();
  // NotFound when no account has this id.
  base::Result<Account> Get(const std::string& id);
  // NotFound when no account has this username.
  base::Result<Account> Find(const std::string& username) { return Load(username, nullptr); }
  // Applies `patch`. FailedPrecondition when it would demote the last admin. A password change
  // revokes the account's tokens.
  base::Result<Account> Update(const std::string& id, const AccountPatch& patch);
  // Deletes an account and revokes its tokens. FailedPrecondition for the last admin.
  base::Status Remove(const std::string& id);
  // Revokes every token of the account with this id (an admin's force logout). NotFound when
  // no account has this id.
  base::Status ForceLogout(const std::string& id);
  // Deletes a group and drops it from every account that was in it.
  base::Status DeleteGroup(const std::string& group_id);
  Groups& groups() { return groups_; }

 private:
  base::Result<Account> Load(const std::string& username, std::string* hash);
  // The stored record of the account with this id (NotFound when none).
  base::Result<std::string> FindRecord(const std::string& id, std::string* username);
  base::Result<int> CountAdmins();
  void RevokeTokensOf(const std::string& username);
  void RefreshSessions(const Account& a);
  const std::string& DummyHash();

  store::DocStore* docs_;
  base::Clock* clock_;
  AuthOptions opts_;
  Groups groups_;
  LoginThrottle throttle_;
  std::mutex admin_mu_;  // serialises administrative changes
  struct Session {
    Account account;
    int64_t expires_ms;
  };
  std::shared_mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // by token hash
  int logins_since_purge_ = 0;                         // guarded by mu_
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

// Lower-case hex SHA-256 of `s`.
std::string Sha256Hex(const std::string& s);

}  // namespace opsflow::auth
