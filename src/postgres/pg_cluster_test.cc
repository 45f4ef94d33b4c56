// The Cluster port of the PostgreSQL store (store/cluster.h): leases, the fence on group commits,
// claims of orphaned job trees, ClaimJob. Runs against OPSFLOW_TEST_PG_URL like the contract
// suite (skipped when unset). Two PostgresStore objects on one database stand for two processes.
#include <gtest/gtest.h>

#include <algorithm>

#include "base/ids.h"
#include "postgres/pg_conn.h"
#include "postgres/postgres_store.h"
#include "postgres/testing/postgres_factory.h"

namespace opsflow::postgres {
namespace {

model::JobRecord Job(const std::string& status, const std::string& root = "") {
  model::JobRecord j;
  j.id = base::NewObjectId();
  j.workflow_name = "wf";
  j.workflow_version = "v1";
  j.status = status;
  j.state = "s";
  j.created_ms = j.last_updated_ms = j.start_ms = 1700000000000;
  j.groups_json = j.errors_json = j.watchers_json = "[]";
  j.variables_json = "{}";
  if (root.empty()) {
    j.parent_json = "null";
    j.ancestors_json = "[\"" + j.id + "\"]";
  } else {
    j.parent_json = "{\"job\":\"" + root + "\",\"task\":\"t\",\"iteration\":\"i\",\"element\":0}";
    j.ancestors_json = "[\"" + root + "\",\"" + j.id + "\"]";
  }
  return j;
}

store::JobUpdate Update(const model::JobRecord& j, const std::string& status) {
  store::JobUpdate u;
  u.id = j.id;
  u.status = status;
  u.state = "s2";
  u.last_updated_ms = j.last_updated_ms + 1;
  return u;
}

class PgClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* f = testing::PostgresFactory();
    auto loc = f->NewLocation();
    if (!loc.ok()) GTEST_SKIP() << loc.status().message();
    url_ = *loc;
    auto a = PostgresStore::Open(url_);
    auto b = PostgresStore::Open(url_);
    ASSERT_TRUE(a.ok() && b.ok());
    a_ = std::move(a).value();
    b_ = std::move(b).value();
  }
  // Makes lease `token` expired at once (as if its process stopped renewing).
  void Expire(int64_t token) {
    auto c = Conn::Open(url_);
    ASSERT_TRUE(c.ok());
    ASSERT_TRUE((*c)->Exec("UPDATE nodes SET expires_at = clock_timestamp() - interval '1 second' "
                           "WHERE token = " +
                           std::to_string(token))
                    .ok());
  }
  std::string url_;
  std::unique_ptr<PostgresStore> a_, b_;
};

TEST_F(PgClusterTest, ATakenOverLeaseIsFencedAndItsJobTreesMoveWhole) {
  auto ta = a_->Join("a", "127.0.0.1:1", 60000);
  auto tb = b_->Join("b", "127.0.0.1:2", 60000);
  ASSERT_TRUE(ta.ok() && tb.ok());
  ASSERT_NE(*ta, *tb);
  model::JobRecord root = Job("running"), child = Job("running", root.id);
  store::WriteBatch create;
  create.fence = *ta;
  create.new_jobs = {root, child};
  ASSERT_TRUE(a_->Commit(create).ok());
  // Nothing is orphaned while a's lease holds.
  auto none = b_->ClaimOrphans(*tb, 10);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // b may not write a's job.
  store::WriteBatch steal;
  steal.fence = *tb;
  steal.job_updates = {Update(root, "running")};
  EXPECT_EQ(b_->Commit(steal).code(), base::Code::kAborted);

  Expire(*ta);
  auto claimed = b_->ClaimOrphans(*tb, 10);
  ASSERT_TRUE(claimed.ok()) << claimed.status().message();
  std::vector<std::string> ids;
  for (const auto& j : *claimed) ids.push_back(j.id);
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want{root.id, child.id};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);  // the whole tree, once
  auto again = a_->ClaimOrphans(*tb + 1000, 10);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());

  // a's lease is gone: its commits write nothing, its renewal says so.
  store::WriteBatch late;
  late.fence = *ta;
  late.job_updates = {Update(root, "complete")};
  late.new_jobs = {Job("running")};
  EXPECT_EQ(a_->Commit(late).code(), base::Code::kAborted);
  EXPECT_EQ(a_->GetJob(late.new_jobs[0].id).status().code(), base::Code::kNotFound);
  EXPECT_EQ(a_->GetJob(root.id)->status, "running");
  EXPECT_EQ(a_->Renew(*ta, 60000, 0).code(), base::Code::kAborted);
  // b drives them now.
  store::WriteBatch done;
  done.fence = *tb;
  done.job_updates = {Update(child, "complete"), Update(root, "error")};
  ASSERT_TRUE(b_->Commit(done).ok());
  EXPECT_TRUE(b_->Renew(*tb, 60000, 2).ok());

  // A job at rest is owned by nobody: another process takes it for a retry, then it is its own.
  auto ta2 = a_->Join("a", "127.0.0.1:1", 60000);
  ASSERT_TRUE(ta2.ok());
  EXPECT_TRUE(a_->ClaimJob(*ta2, root.id).ok());
  store::WriteBatch retry;
  retry.fence = *ta2;
  retry.job_updates = {Update(root, "running")};
  ASSERT_TRUE(a_->Commit(retry).ok());
  base::Status refused = b_->ClaimJob(*tb, root.id);
  EXPECT_EQ(refused.code(), base::Code::kFailedPrecondition);
  EXPECT_NE(refused.message().find("'a'"), std::string::npos) << refused.message();
  EXPECT_EQ(b_->ClaimJob(*tb, "nope").code(), base::Code::kNotFound);

  // A clean leave hands the jobs over at once.
  ASSERT_TRUE(a_->Leave(*ta2).ok());
  auto handed = b_->ClaimOrphans(*tb, 10);
  ASSERT_TRUE(handed.ok());
  ASSERT_EQ(handed->size(), 1u);
  EXPECT_EQ((*handed)[0].id, root.id);
  auto nodes = b_->Nodes();
  ASSERT_TRUE(nodes.ok());
  ASSERT_EQ(nodes->size(), 1u);
  EXPECT_EQ((*nodes)[0].node_id, "b");
  EXPECT_EQ((*nodes)[0].jobs, 2);
}

}  // namespace
}  // namespace opsflow::postgres
