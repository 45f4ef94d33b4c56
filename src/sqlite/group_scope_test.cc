// ListQuery::visible_groups on the SQLite store: jobs and task iterations are filtered by the
// job's groups in the query itself, so totals and pages count only visible items.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "base/ids.h"
#include "sqlite/sql_filter.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {
namespace {

class GroupScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opsflow-group-scope-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = SqliteStore::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    store::WriteBatch b;
    b.versions.push_back({"v1", "{}"});
    // Jobs with groups [], [g1], [g2], [g1,g2]; one iteration each.
    const char* groups[] = {"[]", "[\"g1\"]", "[\"g2\"]", "[\"g1\",\"g2\"]"};
    for (int i = 0; i < 4; ++i) {
      model::JobRecord r;
      r.id = base::NewObjectId();
      r.workflow_name = "w";
      r.workflow_version = "v1";
      r.status = "complete";
      r.state = "x";
      r.created_ms = r.last_updated_ms = r.start_ms = 1000 + i;
      r.groups_json = groups[i];
      ids_.push_back(r.id);
      model::IterationRecord it;
      it.id = base::IterationUuid(r.id, 0);
      it.job_id = r.id;
      it.task_id = "workflow_start";
      it.status = "complete";
      b.new_jobs.push_back(std::move(r));
      b.iterations.push_back(std::move(it));
    }
    ASSERT_TRUE(store_->Commit(b).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int64_t JobTotal(std::optional<std::vector<std::string>> groups, int64_t limit = 25) {
    model::ListQuery q;
    q.limit = limit;
    q.visible_groups = std::move(groups);
    std::vector<model::Expr> rest;
    auto page = store_->ListJobs(q, &rest);
    EXPECT_TRUE(page.ok()) << page.status().message();
    if (!page.ok()) return -1;
    EXPECT_LE(static_cast<int64_t>(page->items.size()), limit);
    return page->total;
  }
  int64_t TaskTotal(std::optional<std::vector<std::string>> groups) {
    model::ListQuery q;
    q.visible_groups = std::move(groups);
    std::vector<model::Expr> rest;
    auto page = store_->ListIterations(q, &rest);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? page->total : -1;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  std::vector<std::string> ids_;
};

TEST_F(GroupScopeTest, JobsAreFilteredByGroups) {
  EXPECT_EQ(JobTotal(std::nullopt), 4);
  EXPECT_EQ(JobTotal(std::vector<std::string>{}), 1);
  EXPECT_EQ(JobTotal(std::vector<std::string>{"g1"}), 3);
  EXPECT_EQ(JobTotal(std::vector<std::string>{"g2"}), 3);
  EXPECT_EQ(JobTotal(std::vector<std::string>{"g1", "g2"}), 4);
  EXPECT_EQ(JobTotal(std::vector<std::string>{"g3"}), 1);
  // The total counts every visible job, not only the page.
  EXPECT_EQ(JobTotal(std::vector<std::string>{"g1"}, 1), 3);
}

TEST_F(GroupScopeTest, ScopeCombinesWithFilters) {
  model::ListQuery q;
  q.visible_groups = std::vector<std::string>{"g2"};
  model::Expr e;
  e.pred.op = model::Op::kIn;
  e.pred.field = "_id";
  e.pred.values = {boost::json::value(ids_[0]), boost::json::value(ids_[1])};
  q.filters.push_back(e);
  std::vector<model::Expr> rest;
  auto page = store_->ListJobs(q, &rest);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].id, ids_[0]);
}

TEST_F(GroupScopeTest, IterationsFollowTheirJob) {
  EXPECT_EQ(TaskTotal(std::nullopt), 4);
  EXPECT_EQ(TaskTotal(std::vector<std::string>{}), 1);
  EXPECT_EQ(TaskTotal(std::vector<std::string>{"g1"}), 3);
  EXPECT_EQ(TaskTotal(std::vector<std::string>{"g3"}), 1);
}

TEST(GroupScopeSqlTest, NumbersPlaceholdersAfterExistingArgs) {
  std::vector<SqlArg> args = {std::string("x")};
  std::string sql = store::GroupScopeSql(Dialect(), "jobs.groups", {"a", "b"}, &args);
  EXPECT_EQ(sql,
            "(jobs.groups = '[]' OR EXISTS (SELECT 1 FROM json_each(jobs.groups) WHERE "
            "json_each.value IN (?2,?3)))");
  EXPECT_EQ(args.size(), 3u);
  args.clear();
  EXPECT_EQ(store::GroupScopeSql(Dialect(), "groups", {}, &args), "(groups = '[]')");
  EXPECT_TRUE(args.empty());
}

}  // namespace
}  // namespace opsflow::sqlite
