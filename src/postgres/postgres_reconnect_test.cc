// The PostgreSQL store after the server dropped its connections (a restart, a failover, an idle
// timeout): the next reads, writes and group commits reconnect and work on the first try.
// Runs against OPSFLOW_TEST_PG_URL like the contract suite (skipped when unset).
#include <gtest/gtest.h>

#include "base/ids.h"
#include "postgres/pg_conn.h"
#include "postgres/postgres_store.h"
#include "postgres/testing/postgres_factory.h"

namespace opsflow::postgres {
namespace {

// Ends every other session on `admin`'s database and waits until they are gone.
void DropOtherSessions(Conn* admin) {
  auto killed = admin->Query(
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  ASSERT_TRUE(killed.ok()) << killed.status().message();
  ASSERT_GT(killed->Int(0, 0), 0);
  for (int i = 0; i < 100000; ++i) {
    auto left = admin->Query(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    ASSERT_TRUE(left.ok());
    if (left->Int(0, 0) == 0) return;
  }
  FAIL() << "sessions still there";
}

TEST(PostgresStoreReconnect, WorksOnTheFirstTryAfterTheServerDroppedItsConnections) {
  const auto* f = testing::PostgresFactory();
  auto loc = f->NewLocation();
  ASSERT_TRUE(loc.ok()) << loc.status().message();
  {
    auto opened = PostgresStore::Open(*loc);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    PostgresStore& s = **opened;
    ASSERT_TRUE(s.Put("workflow", "a", R"({"name":"a"})").ok());
    model::JobRecord j;
    j.id = base::NewObjectId();
    j.workflow_name = "a";
    j.workflow_version = "v1";
    j.status = "running";
    j.state = "s";
    j.created_ms = j.last_updated_ms = j.start_ms = 1700000000000;
    j.groups_json = j.errors_json = j.ancestors_json = j.watchers_json = "[]";
    j.variables_json = "{}";
    j.parent_json = "null";
    store::WriteBatch b;
    b.new_jobs = {j};
    ASSERT_TRUE(s.Commit(b).ok());

    auto admin = Conn::Open(*loc);
    ASSERT_TRUE(admin.ok()) << admin.status().message();
    DropOtherSessions(admin->get());
    auto doc = s.Get("workflow", "a");
    ASSERT_TRUE(doc.ok()) << doc.status().message();
    EXPECT_EQ(*doc, R"({"name":"a"})");

    DropOtherSessions(admin->get());
    store::JobUpdate u;
    u.id = j.id;
    u.status = "complete";
    u.state = "done";
    u.last_updated_ms = u.end_ms = 1700000000100;
    store::WriteBatch w;
    w.job_updates = {u};
    base::Status st = s.Commit(w);
    ASSERT_TRUE(st.ok()) << st.message();
    auto got = s.GetJob(j.id);
    ASSERT_TRUE(got.ok()) << got.status().message();
    EXPECT_EQ(got->status, "complete");
  }
  f->Destroy(*loc);
}

TEST(PostgresStoreReconnect, ARetriedBatchWhoseCommitReplyWasLostIsNotCommittedTwice) {
  const auto* f = testing::PostgresFactory();
  auto loc = f->NewLocation();
  ASSERT_TRUE(loc.ok()) << loc.status().message();
  {
    auto opened = PostgresStore::Open(*loc);
    ASSERT_TRUE(opened.ok()) << opened.status().message();
    PostgresStore& s = **opened;
    model::JobRecord j;
    j.id = base::NewObjectId();
    j.workflow_name = "a";
    j.workflow_version = "v1";
    j.status = "running";
    j.state = "s";
    j.created_ms = j.last_updated_ms = j.start_ms = 1700000000000;
    j.groups_json = j.errors_json = j.ancestors_json = j.watchers_json = "[]";
    j.variables_json = "{}";
    j.parent_json = "null";
    store::WriteBatch b;
    b.versions.push_back({"v1", "{}"});
    b.new_jobs = {j};
    s.LoseNextCommitReplyForTesting();
    base::Status lost = s.Commit(b);
    EXPECT_EQ(lost.code(), base::Code::kUnavailable) << lost.message();
    EXPECT_TRUE(s.GetJob(j.id).ok());  // it did commit
    // The runtime retries the same batch: done already, not an error (a primary key clash).
    base::Status again = s.Commit(b);
    EXPECT_TRUE(again.ok()) << again.message();
    std::vector<model::Expr> residual;
    model::ListQuery q;
    q.limit = 10;
    auto page = s.ListJobs(q, &residual);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->total, 1);
    // Later batches commit as usual.
    model::JobRecord k = j;
    k.id = base::NewObjectId();
    store::WriteBatch next;
    next.new_jobs = {k};
    EXPECT_TRUE(s.Commit(next).ok());
    EXPECT_TRUE(s.GetJob(k.id).ok());
  }
  f->Destroy(*loc);
}

}  // namespace
}  // namespace opsflow::postgres
