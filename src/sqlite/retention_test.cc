// Retention (sqlite/retention.h) with the Clock port, the archive it writes and import-archive;
// and the list totals read from the counts tables (V0003) agreeing with COUNT(*).
#include "sqlite/retention.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "base/ids.h"
#include "model/query.h"
#include "sqlite/archive.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {
namespace {

constexpr int64_t kDay = 86'400'000;

class RetentionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opsflow-retention-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directories(dir_ + "/archive");
    store_ = Open(dir_ + "/data");
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  static std::unique_ptr<SqliteStore> Open(const std::string& d) {
    auto s = SqliteStore::Open(d);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? std::move(s).value() : nullptr;
  }

  // A job ended at `end_ms` (updated then too), with two iterations; a child of `parent`.
  std::string AddJob(const std::string& status, int64_t end_ms, const std::string& parent = "") {
    store::WriteBatch b;
    b.versions.push_back({"v1", R"({"name":"w"})"});
    model::JobRecord r;
    r.id = base::NewObjectId();
    r.workflow_name = parent.empty() ? "w" : "child";
    r.workflow_version = "v1";
    r.status = status;
    r.state = "x";
    r.created_ms = r.start_ms = end_ms - 1000;
    r.last_updated_ms = end_ms;
    r.end_ms = status == "running" ? 0 : end_ms;
    if (!parent.empty()) r.parent_json = R"({"job":")" + parent + R"(","task":"t1"})";
    for (uint32_t i = 0; i < 2; ++i) {
      model::IterationRecord it;
      it.id = base::IterationUuid(r.id, i);
      it.job_id = r.id;
      it.task_id = "t" + std::to_string(i);
      it.status = "complete";
      it.outgoing_json = R"({"x":1})";
      b.iterations.push_back(std::move(it));
    }
    b.new_jobs.push_back(r);
    EXPECT_TRUE(store_->Commit(b).ok());
    return r.id;
  }

  bool Exists(const std::string& id) { return store_->GetJob(id).ok(); }
  size_t Iterations(const std::string& id) {
    auto its = store_->IterationsOfJob(id);
    return its.ok() ? its->size() : 0;
  }
  int64_t Total(const std::string& table_field, const std::string& value, bool tasks = false) {
    model::ListQuery q;
    if (!table_field.empty()) {
      model::Expr e;
      e.pred.field = table_field;
      e.pred.values.push_back(boost::json::value(value));
      q.filters.push_back(e);
    }
    std::vector<model::Expr> rest;
    if (tasks) {
      auto p = store_->ListIterations(q, &rest);
      return p.ok() ? p->total : -1;
    }
    auto p = store_->ListJobs(q, &rest);
    return p.ok() ? p->total : -1;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  base::FakeClock clock_{1'750'000'000'000};
};

TEST(ParseDurationTest, UnitsAndErrors) {
  EXPECT_EQ(*ParseDuration("30d"), 30 * kDay);
  EXPECT_EQ(*ParseDuration("12h"), 12 * 3'600'000);
  EXPECT_EQ(*ParseDuration("90"), 90'000);
  EXPECT_EQ(*ParseDuration("500ms"), 500);
  for (const char* bad : {"", "0d", "-1h", "3w", "d", "1.5h"}) {
    auto r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("is not a duration"), std::string::npos);
  }
}

TEST_F(RetentionTest, DeletesOldFinishedTreesKeepsTheRest) {
  const int64_t now = clock_.NowMs();
  std::string old_root = AddJob("complete", now - 10 * kDay);
  std::string old_child = AddJob("complete", now - 10 * kDay, old_root);
  std::string grandchild = AddJob("complete", now - 10 * kDay, old_child);
  std::string old_canceled = AddJob("canceled", now - 9 * kDay);
  std::string recent = AddJob("complete", now - kDay / 2);
  std::string old_error = AddJob("error", now - 10 * kDay);
  std::string running = AddJob("running", now - 10 * kDay);
  std::string busy_root = AddJob("canceled", now - 10 * kDay);
  std::string busy_child = AddJob("running", now - 10 * kDay, busy_root);
  EXPECT_EQ(Total("", ""), 9);
  EXPECT_EQ(Total("status", "complete"), 4);

  RetentionOptions o;
  o.retain_ms = 7 * kDay;
  o.archive_dir = dir_ + "/archive";
  o.batch = 1;  // one root per batch: the batches add up
  Retention r(store_.get(), &clock_, o);
  auto n = r.RunOnce();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 3u);  // the oldest root with its child and grandchild
  EXPECT_FALSE(Exists(old_root));
  EXPECT_FALSE(Exists(old_child));
  EXPECT_FALSE(Exists(grandchild));
  EXPECT_EQ(Iterations(old_child), 0u);
  n = r.RunOnce();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1u);
  EXPECT_FALSE(Exists(old_canceled));
  EXPECT_EQ(*r.RunOnce(), 0u);  // nothing more to do
  for (const auto& id : {recent, old_error, running, busy_root, busy_child}) {
    EXPECT_TRUE(Exists(id)) << id;
    EXPECT_EQ(Iterations(id), 2u);
  }
  // The counts tables followed the deletes.
  EXPECT_EQ(Total("", ""), 5);
  EXPECT_EQ(Total("status", "complete"), 1);
  EXPECT_EQ(Total("status", "canceled"), 1);
  EXPECT_EQ(Total("", "", true), 10);

  // Abandoned errors go only under their own rule; the clock moves the cutoff.
  o.retain_error_ms = 30 * kDay;
  Retention with_errors(store_.get(), &clock_, o);
  EXPECT_EQ(*with_errors.RunOnce(), 0u);
  clock_.Advance(21 * kDay);
  EXPECT_EQ(*with_errors.RunOnce(), 1u);
  EXPECT_FALSE(Exists(old_error));
  EXPECT_EQ(*with_errors.RunOnce(), 1u);  // `recent` is now old too
  EXPECT_TRUE(Exists(running));
  EXPECT_TRUE(Exists(busy_root));

  // The archive holds what was deleted; import-archive reads it into an empty store.
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(o.archive_dir)) {
    files.push_back(e.path().string());
  }
  ASSERT_EQ(files.size(), 2u);  // two days: one file each
  auto other = Open(dir_ + "/restored");
  size_t imported = 0, total = 0;
  for (const auto& f : files) {
    ASSERT_TRUE(ImportArchive(f, other.get(), &imported).ok());
    total += imported;
  }
  EXPECT_EQ(total, 6u);
  auto back = other->GetJob(grandchild);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->parent_json, R"({"job":")" + old_child + R"(","task":"t1"})");
  auto its = other->IterationsOfJob(grandchild);
  ASSERT_TRUE(its.ok());
  ASSERT_EQ(its->size(), 2u);
  EXPECT_EQ((*its)[0].outgoing_json, R"({"x":1})");
  EXPECT_TRUE(other->GetWorkflowVersion("v1").ok());
  // Importing again skips the jobs already there.
  ASSERT_TRUE(ImportArchive(files[0], other.get(), &imported).ok());
  EXPECT_EQ(imported, 0u);
}

TEST_F(RetentionTest, ArchiveFailureDeletesNothing) {
  std::string old = AddJob("complete", clock_.NowMs() - 10 * kDay);
  RetentionOptions o;
  o.retain_ms = kDay;
  o.archive_dir = dir_ + "/no-such-dir";
  Retention r(store_.get(), &clock_, o);
  EXPECT_FALSE(r.RunOnce().ok());
  EXPECT_TRUE(Exists(old));
}

TEST_F(RetentionTest, ImportRejectsAFileThatIsNoArchive) {
  std::string f = dir_ + "/bad.jsonl.gz";
  ASSERT_TRUE(AppendArchive(f, {R"({"kind":"job"})"}).ok());
  size_t imported = 0;
  auto st = ImportArchive(f, store_.get(), &imported);
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("line 1"), std::string::npos) << st.message();
  EXPECT_FALSE(ImportArchive(dir_ + "/missing.gz", store_.get(), &imported).ok());
}

}  // namespace
}  // namespace opsflow::sqlite
