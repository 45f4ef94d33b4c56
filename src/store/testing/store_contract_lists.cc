// The store contract, part 2: ListJobs and ListIterations. Every operator a list query has
// (model/query.h) on the columns the JobStore port names is applied by the store itself (no
// residual), with sorting, skip/limit, totals over the whole match, and visible_groups.
#include <algorithm>
#include <map>

#include "base/clock.h"
#include "base/ids.h"
#include "store/testing/store_contract.h"

namespace opsflow::store::testing {
namespace {

using Params = std::vector<std::pair<std::string, std::string>>;

struct Row {
  const char* name;
  const char* status;
  const char* description;
  int64_t start;  // ms after kT0
  int64_t end;    // ms after kT0, 0: not ended
  double progress;
  const char* groups;
  const char* user;
  const char* type;
};

// Eight jobs, committed in this order (j0 .. j7).
constexpr Row kRows[] = {
    {"alpha", "complete", "first run", 1000, 2000, 1.0, "[]", "admin", "automation"},
    {"alpha", "running", "second", 3000, 0, 0.5, R"(["g1"])", "admin", "automation"},
    {"beta", "error", "third run", 2000, 2500, 0.25, R"(["g2"])", "bob", "automation"},
    {"beta", "complete", "fourth", 5000, 6000, 1.0, R"(["g1","g2"])", "bob", "automation"},
    {"alphabet", "paused", "fifth run", 4000, 0, 0.75, "[]", "carol", "automation"},
    {"gamma", "canceled", "sixth", 6000, 6500, 0.1, R"(["g3"])", "admin", "operation"},
    {"gamma", "running", "seventh run", 7000, 0, 0.0, "[]", "bob", "operation"},
    {"delta", "complete", "eighth", 500, 800, 1.0, "[]", "carol", "automation"},
};

}  // namespace

TEST_P(StoreContractTest, ListJobsOperatorsSortingAndPaging) {
  std::vector<model::JobRecord> recs;
  for (const Row& r : kRows) {
    model::JobRecord j = Job(r.name, r.status, r.start);
    j.description = r.description;
    j.end_ms = r.end ? kT0 + r.end : 0;
    j.progress = r.progress;
    j.groups_json = r.groups;
    j.created_by = r.user;
    j.type = r.type;
    j.last_updated_ms = kT0 + r.start + 10;
    recs.push_back(j);
  }
  // Committed in two batches, so "storage order" spans commits.
  MustCommit(JobsBatch({recs.begin(), recs.begin() + 3}));
  MustCommit(JobsBatch({recs.begin() + 3, recs.end()}));
  std::map<std::string, int> index;
  for (int i = 0; i < 8; ++i) index[recs[i].id] = i;
  // The fixture indexes of a page, in page order.
  auto idx = [&](const Params& p, int64_t* total = nullptr) {
    std::vector<int> out;
    for (const auto& id : JobIds(Query(p), total)) out.push_back(index.at(id));
    return out;
  };
  using V = std::vector<int>;
  int64_t total = -1;

  // Storage order (no sort): the order of commit, either way round.
  EXPECT_EQ(idx({}, &total), (V{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(total, 8);
  EXPECT_EQ(idx({{"order", "-1"}}), (V{7, 6, 5, 4, 3, 2, 1, 0}));

  // equals (the counted columns and the others), alone and together.
  EXPECT_EQ(idx({{"equals[status]", "complete"}}, &total), (V{0, 3, 7}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"equals[name]", "alpha"}}, &total), (V{0, 1}));
  EXPECT_EQ(total, 2);
  EXPECT_EQ(idx({{"equals[name]", "beta"}, {"equals[status]", "complete"}}, &total), (V{3}));
  EXPECT_EQ(total, 1);
  EXPECT_EQ(idx({{"equals[name]", "nope"}}, &total), V{});
  EXPECT_EQ(total, 0);
  EXPECT_EQ(idx({{"equals[_id]", recs[4].id}}), (V{4}));
  EXPECT_EQ(idx({{"equals[created_by]", "bob"}}), (V{2, 3, 6}));
  EXPECT_EQ(idx({{"equals[metrics.user]", "carol"}}), (V{4, 7}));
  EXPECT_EQ(idx({{"equals[type]", "operation"}}), (V{5, 6}));
  EXPECT_EQ(idx({{"equals[description]", "second"}}), (V{1}));

  // contains, starts-with, ends-with (case-sensitive).
  EXPECT_EQ(idx({{"contains[description]", "run"}}, &total), (V{0, 2, 4, 6}));
  EXPECT_EQ(total, 4);
  EXPECT_EQ(idx({{"contains[description]", "RUN"}}), V{});
  EXPECT_EQ(idx({{"contains[name]", "ph"}}), (V{0, 1, 4}));
  EXPECT_EQ(idx({{"starts-with[name]", "alpha"}}, &total), (V{0, 1, 4}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"starts-with[name]", "alphab"}}), (V{4}));
  EXPECT_EQ(idx({{"starts-with[name]", "Alpha"}}), V{});
  EXPECT_EQ(idx({{"starts-with[name]", "alpha"},
                 {"sort", "metrics.start_time"},
                 {"order", "-1"},
                 {"limit", "2"}},
                &total),
            (V{4, 1}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"ends-with[description]", "run"}}), (V{0, 2, 4, 6}));
  EXPECT_EQ(idx({{"ends-with[name]", "ta"}}), (V{2, 3, 7}));

  // in / not-in.
  EXPECT_EQ(idx({{"in[status]", "running"}, {"in[status]", "paused"}}, &total), (V{1, 4, 6}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"in[status]", R"(["error","canceled"])"}}), (V{2, 5}));
  EXPECT_EQ(idx({{"not-in[status]", R"(["complete","running"])"}}, &total), (V{2, 4, 5}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"in[name]", R"(["delta","gamma"])"}, {"not-in[status]", "canceled"}}), (V{6, 7}));

  // gt/gte/lt/lte on a number.
  EXPECT_EQ(idx({{"gt[metrics.progress]", "0.5"}}), (V{0, 3, 4, 7}));
  EXPECT_EQ(idx({{"gte[metrics.progress]", "0.5"}}), (V{0, 1, 3, 4, 7}));
  EXPECT_EQ(idx({{"lt[metrics.progress]", "0.25"}}), (V{5, 6}));
  EXPECT_EQ(idx({{"lte[metrics.progress]", "0.25"}}), (V{2, 5, 6}));

  // ... and on times, as epoch ms and as ISO-8601.
  const std::string t4000 = std::to_string(kT0 + 4000);
  EXPECT_EQ(idx({{"gt[metrics.start_time]", t4000}}, &total), (V{3, 5, 6}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"gte[metrics.start_time]", t4000}}), (V{3, 4, 5, 6}));
  EXPECT_EQ(idx({{"gte[metrics.start_time]", base::IsoTime(kT0 + 4000)}}), (V{3, 4, 5, 6}));
  EXPECT_EQ(idx({{"lt[metrics.start_time]", std::to_string(kT0 + 1000)}}), (V{7}));
  EXPECT_EQ(idx({{"lte[metrics.start_time]", base::IsoTime(kT0 + 1000)}}), (V{0, 7}));
  EXPECT_EQ(idx({{"gte[metrics.start_time]", std::to_string(kT0 + 2000)},
                 {"lt[metrics.start_time]", std::to_string(kT0 + 5000)}}),
            (V{1, 2, 4}));
  EXPECT_EQ(idx({{"gt[metrics.end_time]", std::to_string(kT0 + 2500)}}), (V{3, 5}));
  EXPECT_EQ(idx({{"lte[created]", std::to_string(kT0 + 1000)}}), (V{0, 7}));
  EXPECT_EQ(idx({{"gt[last_updated]", std::to_string(kT0 + 6010)}}), (V{6}));

  // exists: an unfinished job has no end time.
  EXPECT_EQ(idx({{"exists[metrics.end_time]", "true"}}), (V{0, 2, 3, 5, 7}));
  EXPECT_EQ(idx({{"exists[metrics.end_time]", "false"}}, &total), (V{1, 4, 6}));
  EXPECT_EQ(total, 3);

  // q expressions: and, or, not, nested.
  EXPECT_EQ(idx({{"q", R"({"or":[{"equals":{"status":"error"}},{"starts-with":{"name":"gam"}}]})"}},
                &total),
            (V{2, 5, 6}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"q", R"({"not":{"equals":{"name":"alpha"}}})"}}), (V{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(idx({{"q", R"({"and":[{"equals":{"status":"complete"}},
                               {"or":[{"equals":{"name":"delta"}},
                                      {"gt":{"metrics.start_time":)" +
                           std::to_string(kT0 + 4000) + "}}]}]}"}}),
            (V{3, 7}));

  // Sorting: ascending and descending, ties in storage order (reversed when descending).
  EXPECT_EQ(idx({{"sort", "metrics.start_time"}}), (V{7, 0, 2, 1, 4, 3, 5, 6}));
  EXPECT_EQ(idx({{"sort", "metrics.start_time"}, {"order", "-1"}}), (V{6, 5, 3, 4, 1, 2, 0, 7}));
  EXPECT_EQ(idx({{"sort", "name"}}), (V{0, 1, 4, 2, 3, 7, 5, 6}));
  EXPECT_EQ(idx({{"sort", "name"}, {"order", "desc"}}), (V{6, 5, 7, 3, 2, 4, 1, 0}));
  EXPECT_EQ(idx({{"sort", "metrics.progress"}, {"equals[status]", "complete"}}), (V{0, 3, 7}));
  EXPECT_EQ(idx({{"sort", "metrics.progress"}, {"order", "-1"}, {"lt[metrics.progress]", "1"}}),
            (V{4, 1, 2, 5, 6}));

  // Paging: skip and limit cut the sorted match; the total is the whole match's.
  EXPECT_EQ(idx({{"sort", "metrics.start_time"}, {"skip", "2"}, {"limit", "3"}}, &total),
            (V{2, 1, 4}));
  EXPECT_EQ(total, 8);
  EXPECT_EQ(idx({{"skip", "6"}, {"limit", "5"}}, &total), (V{6, 7}));
  EXPECT_EQ(total, 8);
  EXPECT_EQ(idx({{"skip", "8"}}, &total), V{});
  EXPECT_EQ(total, 8);
  EXPECT_EQ(idx({{"limit", "0"}}, &total), V{});
  EXPECT_EQ(total, 8);
  EXPECT_EQ(idx({{"equals[status]", "complete"}, {"skip", "1"}, {"limit", "1"}}, &total), (V{3}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"contains[description]", "run"}, {"limit", "1"}, {"order", "-1"}}, &total),
            (V{6}));
  EXPECT_EQ(total, 4);

  // Totals follow status changes.
  JobUpdate u;
  u.id = recs[1].id;
  u.status = "complete";
  u.state = "done";
  u.progress = 1;
  u.last_updated_ms = kT0 + 8000;
  u.end_ms = kT0 + 8000;
  WriteBatch w;
  w.job_updates = {u};
  MustCommit(w);
  EXPECT_EQ(idx({{"equals[status]", "complete"}}, &total), (V{0, 1, 3, 7}));
  EXPECT_EQ(total, 4);
  idx({{"equals[status]", "running"}}, &total);
  EXPECT_EQ(total, 1);
  idx({{"equals[status]", "complete"}, {"equals[name]", "alpha"}}, &total);
  EXPECT_EQ(total, 2);
  idx({{"equals[status]", "running"}, {"equals[name]", "alpha"}}, &total);
  EXPECT_EQ(total, 0);
}

TEST_P(StoreContractTest, ListJobsLeavesUnknownFieldsToTheCaller) {
  std::vector<model::JobRecord> recs = {Job("a", "complete"), Job("b", "running"),
                                        Job("c", "complete")};
  MustCommit(JobsBatch(recs));
  // A filter on a field the store does not know comes back as a residual, and the rows matching
  // the rest come back whole (unpaged) for the caller to filter, sort and page.
  std::vector<model::Expr> residual;
  auto page = jobs().ListJobs(
      Query({{"equals[status]", "complete"}, {"equals[variables.x]", "1"}, {"limit", "1"}}),
      &residual);
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_FALSE(residual.empty());
  std::vector<std::string> ids;
  for (const auto& r : page->items) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(ids, (std::vector<std::string>{recs[0].id, recs[2].id}));
  // So does a sort on an unknown field.
  residual.clear();
  page = jobs().ListJobs(Query({{"sort", "variables.x"}, {"limit", "1"}}), &residual);
  ASSERT_TRUE(page.ok());
  EXPECT_FALSE(residual.empty());
  EXPECT_EQ(page->items.size(), 3u);
}

TEST_P(StoreContractTest, ListJobsVisibleGroups) {
  std::vector<model::JobRecord> recs;
  for (const Row& r : kRows) {
    model::JobRecord j = Job(r.name, r.status, r.start);
    j.groups_json = r.groups;
    recs.push_back(j);
  }
  MustCommit(JobsBatch(recs));
  std::map<std::string, int> index;
  for (int i = 0; i < 8; ++i) index[recs[i].id] = i;
  using V = std::vector<int>;
  auto idx = [&](std::optional<std::vector<std::string>> groups, const Params& p, int64_t* total) {
    model::ListQuery q = Query(p);
    q.visible_groups = std::move(groups);
    std::vector<int> out;
    for (const auto& id : JobIds(q, total)) out.push_back(index.at(id));
    return out;
  };
  int64_t total = -1;
  EXPECT_EQ(idx(std::nullopt, {}, &total), (V{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(idx(std::vector<std::string>{}, {}, &total), (V{0, 4, 6, 7}));  // no groups: ungrouped
  EXPECT_EQ(total, 4);
  EXPECT_EQ(idx(std::vector<std::string>{"g1"}, {}, &total), (V{0, 1, 3, 4, 6, 7}));
  EXPECT_EQ(total, 6);
  EXPECT_EQ(idx(std::vector<std::string>{"g2", "g3"}, {}, &total), (V{0, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(total, 7);
  // With filters and paging, the total counts only visible rows.
  EXPECT_EQ(idx(std::vector<std::string>{"g1"}, {{"equals[status]", "complete"}}, &total),
            (V{0, 3, 7}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx(std::vector<std::string>{"g2"}, {{"equals[name]", "beta"}, {"limit", "1"}}, &total),
            (V{2}));
  EXPECT_EQ(total, 2);
  EXPECT_EQ(idx(std::vector<std::string>{"nobody"},
                {{"sort", "metrics.start_time"}, {"order", "-1"}, {"limit", "2"}}, &total),
            (V{6, 4}));
  EXPECT_EQ(total, 4);
}

TEST_P(StoreContractTest, ListIterationsOperatorsSortingPagingAndGroups) {
  model::JobRecord a = Job("alpha", "complete");
  model::JobRecord b = Job("beta", "running");
  b.groups_json = R"(["g1"])";
  model::JobRecord c = Job("gamma", "error");
  c.groups_json = R"(["g2"])";
  WriteBatch w = JobsBatch({a, b, c});
  // a: start, t1 (complete), t2 (error); b: start, t1 (running); c: start.
  std::vector<model::IterationRecord> its = {Iteration(a.id, 0, "workflow_start", "complete"),
                                             Iteration(a.id, 1, "t1", "complete"),
                                             Iteration(a.id, 2, "t2", "error"),
                                             Iteration(b.id, 0, "workflow_start", "complete"),
                                             Iteration(b.id, 1, "t1", "running"),
                                             Iteration(c.id, 0, "workflow_start", "complete")};
  its[2].method = "delay";
  its[2].finish_state = "error";
  its[4].iteration = 2;
  w.iterations = its;
  MustCommit(w);
  std::map<std::string, int> index;
  for (int i = 0; i < static_cast<int>(its.size()); ++i) index[its[i].id] = i;
  using V = std::vector<int>;
  auto idx = [&](const Params& p, int64_t* total = nullptr,
                 std::optional<std::vector<std::string>> groups = std::nullopt) {
    model::ListQuery q = Query(p);
    q.visible_groups = std::move(groups);
    std::vector<int> out;
    for (const auto& id : IterationIds(q, total)) out.push_back(index.at(id));
    return out;
  };
  int64_t total = -1;
  // Storage order is id order: a job's iterations together, in sequence.
  ASSERT_TRUE(a.id < b.id && b.id < c.id);  // ObjectIds made in order sort in order
  EXPECT_EQ(idx({}, &total), (V{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(total, 6);
  EXPECT_EQ(idx({{"sort", "_id"}, {"order", "-1"}}), (V{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(idx({{"equals[job._id]", a.id}}, &total), (V{0, 1, 2}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({{"in[job._id]", R"([")" + a.id + R"(",")" + c.id + R"("])"}}), (V{0, 1, 2, 5}));
  EXPECT_EQ(idx({{"equals[job.task]", "t1"}}), (V{1, 4}));
  EXPECT_EQ(idx({{"equals[name]", "delay"}}), (V{2}));
  EXPECT_EQ(idx({{"equals[status]", "complete"}}, &total), (V{0, 1, 3, 5}));
  EXPECT_EQ(total, 4);
  EXPECT_EQ(idx({{"equals[status]", "complete"}, {"equals[job._id]", b.id}}, &total), (V{3}));
  EXPECT_EQ(total, 1);
  EXPECT_EQ(idx({{"not-in[status]", R"(["complete"])"}}), (V{2, 4}));
  EXPECT_EQ(idx({{"equals[metrics.finish_state]", "error"}}), (V{2}));
  EXPECT_EQ(idx({{"gte[iteration]", "2"}}), (V{4}));
  EXPECT_EQ(idx({{"gt[metrics.start_time]", std::to_string(kT0)}}), (V{1, 2, 4}));
  EXPECT_EQ(idx({{"exists[metrics.end_time]", "false"}}), (V{4}));
  EXPECT_EQ(idx({{"starts-with[job.task]", "t"}}), (V{1, 2, 4}));
  EXPECT_EQ(idx({{"contains[name]", "Var"}}), (V{1, 4}));
  // Paging.
  EXPECT_EQ(idx({{"skip", "1"}, {"limit", "2"}}, &total), (V{1, 2}));
  EXPECT_EQ(total, 6);
  EXPECT_EQ(idx({{"equals[status]", "complete"}, {"limit", "0"}}, &total), V{});
  EXPECT_EQ(total, 4);
  EXPECT_EQ(idx({{"sort", "metrics.start_time"}, {"order", "-1"}, {"limit", "2"}}, &total),
            (V{2, 4}));
  EXPECT_EQ(total, 6);
  // visible_groups: an iteration is visible when its job is.
  EXPECT_EQ(idx({}, &total, std::vector<std::string>{}), (V{0, 1, 2}));
  EXPECT_EQ(total, 3);
  EXPECT_EQ(idx({}, &total, std::vector<std::string>{"g1"}), (V{0, 1, 2, 3, 4}));
  EXPECT_EQ(total, 5);
  EXPECT_EQ(
      idx({{"equals[status]", "complete"}, {"limit", "1"}}, &total, std::vector<std::string>{"g2"}),
      (V{0}));
  EXPECT_EQ(total, 3);
  // Totals follow status changes (an upsert that ends the running one).
  model::IterationRecord ended = its[4];
  ended.status = "complete";
  ended.end_ms = kT0 + 50;
  WriteBatch w2;
  w2.iterations = {ended};
  MustCommit(w2);
  idx({{"equals[status]", "complete"}}, &total);
  EXPECT_EQ(total, 5);
  idx({{"equals[status]", "running"}}, &total);
  EXPECT_EQ(total, 0);
}

}  // namespace opsflow::store::testing
