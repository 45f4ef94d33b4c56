// The store contract, NULL columns: a job that has not started or ended has no start or end time
// (the column is NULL; the job document shows null). What a store's list keeps must be what the
// in-memory filter (model::MatchesAll, used for residuals and by json-query) keeps on the same
// values: `not-in` keeps a job without the value, and `not` negates a comparison with a missing
// value to true. `exists` is the store's own rule, pinned in part 2: a NULL column does not exist.
#include <boost/json/value.hpp>

#include "store/testing/store_contract.h"

namespace opsflow::store::testing {
namespace {

namespace bj = boost::json;
using Params = std::vector<std::pair<std::string, std::string>>;

// The values the filters below read, as the job document shows them.
bj::value DocOf(const model::JobRecord& r) {
  auto ms = [](int64_t v) { return v ? bj::value(v) : bj::value(); };
  return bj::object{{"_id", r.id},
                    {"name", r.workflow_name},
                    {"status", r.status},
                    {"metrics", bj::object{{"start_time", ms(r.start_ms)},
                                           {"end_time", ms(r.end_ms)},
                                           {"progress", r.progress}}}};
}

}  // namespace

TEST_P(StoreContractTest, NullColumnsFilterAsTheInMemoryFilterDoes) {
  // j0, j2 ended; j1 runs; j3 was never started (no start time, no end time).
  std::vector<model::JobRecord> recs = {Job("a", "complete", 1000), Job("b", "running", 2000),
                                        Job("c", "error", 3000), Job("d", "queued", 4000)};
  recs[3].start_ms = 0;
  MustCommit(JobsBatch(recs));
  const std::string end0 = std::to_string(recs[0].end_ms);
  const std::string end2 = std::to_string(recs[2].end_ms);
  const std::string start1 = std::to_string(recs[1].start_ms);
  const std::vector<Params> queries = {
      {{"not-in[metrics.end_time]", end0}},
      {{"not-in[metrics.end_time]", "[" + end0 + "," + end2 + "]"}},
      {{"not-in[metrics.start_time]", start1}},
      {{"not-in[metrics.end_time]", end0}, {"equals[name]", "d"}},
      {{"q", R"({"not":{"equals":{"metrics.end_time":)" + end0 + "}}}"}},
      {{"q", R"({"not":{"gt":{"metrics.start_time":)" + start1 + "}}}"}},
      {{"q", R"({"not":{"lte":{"metrics.end_time":)" + end2 + "}}}"}},
      {{"q", R"({"not":{"in":{"metrics.end_time":[)" + end0 + "," + end2 + "]}}}"}},
      {{"q", R"({"not":{"not":{"equals":{"metrics.end_time":)" + end0 + "}}}}"}},
      {{"q", R"({"not":{"or":[{"lt":{"metrics.end_time":)" + end2 +
                 R"(}},{"equals":{"status":"queued"}}]}})"}},
      {{"q", R"({"not":{"and":[{"gte":{"metrics.start_time":0}},{"equals":{"status":"running"}}]}})"}},
      {{"q", R"({"or":[{"not":{"equals":{"metrics.end_time":)" + end0 +
                 R"(}}},{"equals":{"name":"a"}}]})"}},
  };
  for (const Params& p : queries) {
    model::ListQuery q = Query(p);
    std::vector<std::string> want;
    for (const auto& r : recs) {
      if (model::MatchesAll(q, DocOf(r))) want.push_back(r.id);
    }
    int64_t total = -1;
    std::vector<std::string> got = JobIds(q, &total);
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << p.back().first << "=" << p.back().second;
    EXPECT_EQ(total, static_cast<int64_t>(want.size())) << p.back().first;
  }
  // Spot checks of what the in-memory filter decides (so the loop above checks something).
  EXPECT_EQ(JobIds(Query({{"not-in[metrics.end_time]", end0}})).size(), 3u);
  EXPECT_EQ(JobIds(Query({{"not-in[metrics.start_time]", start1}})).size(), 3u);
}

}  // namespace opsflow::store::testing
