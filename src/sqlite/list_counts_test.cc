// Job list totals read from job_counts (list_counts.h) equal the rows that match.
#include "sqlite/list_counts.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/ids.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {
namespace {

struct Row {
  std::string name, status;
};

class ListCountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opsflow-list-counts-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto s = SqliteStore::Open(dir_);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store_ = std::move(s).value();
    store::WriteBatch b;
    b.versions.push_back({"v1", "{}"});
    const char* names[] = {"deploy",
                           "deploy-a",
                           "deploy-b",
                           "deployz",
                           "backup",
                           "b\xc3\xa4"
                           "ck",
                           "x\xff",
                           "x\xff\xff",
                           "y"};
    const char* statuses[] = {"complete", "error", "canceled", "running"};
    int i = 0;
    for (const char* n : names) {
      for (int k = 0; k < 5; ++k, ++i) {
        model::JobRecord r;
        r.id = base::NewObjectId();
        r.workflow_name = n;
        r.workflow_version = "v1";
        r.status = statuses[(i * 7 + k) % 4];
        r.state = "x";
        r.created_ms = r.last_updated_ms = r.start_ms = 1000 + i;
        rows_.push_back({r.workflow_name, r.status});
        b.new_jobs.push_back(std::move(r));
      }
    }
    ASSERT_TRUE(store_->Commit(b).ok());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  model::ListQuery Query(std::vector<std::pair<std::string, std::string>> params) {
    auto q = model::ParseListQuery(params, model::ListQueryOptions{});
    EXPECT_TRUE(q.ok()) << q.status().message();
    return q.ok() ? *q : model::ListQuery{};
  }
  int64_t Total(const model::ListQuery& q) {
    std::vector<model::Expr> rest;
    auto page = store_->ListJobs(q, &rest);
    EXPECT_TRUE(page.ok()) << page.status().message();
    EXPECT_TRUE(rest.empty());
    return page.ok() ? page->total : -1;
  }
  int64_t Count(const std::function<bool(const Row&)>& f) {
    int64_t n = 0;
    for (const Row& r : rows_) n += f(r) ? 1 : 0;
    return n;
  }

  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
  std::vector<Row> rows_;
};

TEST_F(ListCountsTest, StartsWithNameIsTheRowsWithThatPrefix) {
  for (std::string prefix : {"deploy", "deploy-", "b", "b\xc3", "x\xff", "x\xff\xff", "", "zz"}) {
    auto q = Query({{"starts-with[name]", prefix}});
    EXPECT_TRUE(JobCountFromCounts(q).has_value()) << prefix;
    EXPECT_EQ(Total(q), Count([&](const Row& r) { return r.name.starts_with(prefix); })) << prefix;
  }
}

TEST_F(ListCountsTest, OrOfEqualsAndInOnOneCountedField) {
  auto q =
      Query({{"q", R"({"or":[{"equals":{"status":"error"}},{"equals":{"status":"canceled"}}]})"}});
  ASSERT_TRUE(JobCountFromCounts(q).has_value());
  EXPECT_EQ(Total(q),
            Count([](const Row& r) { return r.status == "error" || r.status == "canceled"; }));
  q = Query({{"q", R"({"or":[{"equals":{"name":"y"}},{"equals":{"name":"y"}},)"
                   R"({"equals":{"name":"deploy"}}]})"}});
  ASSERT_TRUE(JobCountFromCounts(q).has_value());
  EXPECT_EQ(Total(q), Count([](const Row& r) { return r.name == "y" || r.name == "deploy"; }));
  q = Query({{"in[status]", R"(["running","complete"])"}});
  ASSERT_TRUE(JobCountFromCounts(q).has_value());
  EXPECT_EQ(Total(q),
            Count([](const Row& r) { return r.status == "running" || r.status == "complete"; }));
  q = Query({{"in[status]", "running,complete"}});  // one value, with a comma
  ASSERT_TRUE(JobCountFromCounts(q).has_value());
  EXPECT_EQ(Total(q), 0);
}

TEST_F(ListCountsTest, OtherFiltersAreLeftToTheRows) {
  // Mixed fields in an `or`, a second filter, an uncounted field, group scope: not answered.
  EXPECT_FALSE(JobCountFromCounts(
      Query({{"q", R"({"or":[{"equals":{"status":"error"}},{"equals":{"name":"y"}}]})"}})));
  EXPECT_FALSE(
      JobCountFromCounts(Query({{"starts-with[name]", "d"}, {"equals[status]", "error"}})));
  EXPECT_FALSE(JobCountFromCounts(Query({{"starts-with[description]", "d"}})));
  EXPECT_FALSE(JobCountFromCounts(Query({{"contains[name]", "d"}})));
  EXPECT_FALSE(JobCountFromCounts(Query({{"in[status]", R"(["error",1])"}})));
  auto q = Query({{"starts-with[name]", "deploy"}});
  q.visible_groups = std::vector<std::string>{"g"};
  EXPECT_FALSE(JobCountFromCounts(q));
  // Still the right totals through the rows.
  EXPECT_EQ(Total(Query({{"starts-with[name]", "d"}, {"equals[status]", "error"}})),
            Count([](const Row& r) { return r.name.starts_with("d") && r.status == "error"; }));
}

}  // namespace
}  // namespace opsflow::sqlite

namespace opsflow::sqlite {
namespace {

// Pages deep in a job list (read by rowid once `skip` is large) are the same rows, in the same
// order, as that part of one long page.
TEST(DeepSkip, PagesEqualTheLongPage) {
  char tmpl[] = "/tmp/opsflow-deep-skip-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  {
    auto s = SqliteStore::Open(dir);
    ASSERT_TRUE(s.ok()) << s.status().message();
    store::WriteBatch b;
    b.versions.push_back({"v1", "{}"});
    for (int i = 0; i < 1300; ++i) {
      model::JobRecord r;
      r.id = base::NewObjectId();
      r.workflow_name = i % 3 ? "a" : "b";
      r.workflow_version = "v1";
      r.status = i % 7 ? "complete" : "error";
      r.state = "x";
      r.created_ms = r.last_updated_ms = 1000;
      r.start_ms = 1000 + i / 4;  // ties, broken by insertion order
      b.new_jobs.push_back(std::move(r));
    }
    ASSERT_TRUE((*s)->Commit(b).ok());
    for (auto filters : std::vector<std::vector<std::pair<std::string, std::string>>>{
             {}, {{"equals[name]", "a"}}, {{"equals[status]", "complete"}}}) {
      for (const char* order : {"-1", "1"}) {
        auto params = filters;
        params.emplace_back("order", order);
        params.emplace_back("sort", "metrics.start_time");
        params.emplace_back("limit", "1000");
        params.emplace_back("skip", "500");
        auto all = model::ParseListQuery(params, model::ListQueryOptions{});
        ASSERT_TRUE(all.ok());
        std::vector<model::Expr> rest;
        auto long_page = (*s)->ListJobs(*all, &rest);  // rows 500..1499, read directly
        ASSERT_TRUE(long_page.ok() && rest.empty());
        for (int64_t skip : {999, 1000, 1001, 1200}) {
          model::ListQuery deep = *all;
          deep.skip = skip;
          deep.limit = 30;
          auto page = (*s)->ListJobs(deep, &rest);
          ASSERT_TRUE(page.ok());
          EXPECT_EQ(page->total, long_page->total);
          std::vector<std::string> want, got;
          for (int64_t i = skip - 500; i < skip - 470 && i < int64_t(long_page->items.size()); ++i)
            want.push_back(long_page->items[i].id);
          for (const auto& r : page->items) got.push_back(r.id);
          EXPECT_EQ(got, want) << "skip " << skip << " order " << order;
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace opsflow::sqlite
