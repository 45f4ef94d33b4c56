// The store contract, part 5: Metrics (GET /workflow_engine/jobs/metrics and /tasks/metrics),
// the aggregates a store computes with GROUP BY.
#include <tuple>

#include "store/testing/store_contract.h"

namespace opsflow::store::testing {
namespace {

// A row as a tuple, for whole-vector comparisons with readable failures.
using Row =
    std::tuple<std::string, std::string, std::string, std::string, std::string, int64_t, int64_t>;

std::vector<Row> Rows(const base::Result<std::vector<MetricRow>>& got) {
  std::vector<Row> out;
  if (!got.ok()) {
    ADD_FAILURE() << got.status().message();
    return out;
  }
  for (const MetricRow& r : *got) {
    out.emplace_back(r.workflow_name, r.task_id, r.method, r.status, r.finish_state, r.count,
                     r.run_ms);
  }
  return out;
}

}  // namespace

TEST_P(StoreContractTest, MetricsOfAnEmptyStoreAreEmpty) {
  EXPECT_TRUE(Rows(jobs().Metrics(MetricsOf::kJobs, std::nullopt)).empty());
  EXPECT_TRUE(Rows(jobs().Metrics(MetricsOf::kTasks, std::nullopt)).empty());
}

TEST_P(StoreContractTest, JobMetricsCountByWorkflowAndStatusAndSumRunTimes) {
  model::JobRecord a1 = Job("alpha", "complete");  // ran 100 ms
  model::JobRecord a2 = Job("alpha", "complete", 1000);
  a2.end_ms = a2.start_ms + 250;
  model::JobRecord a3 = Job("alpha", "running");  // no end: no run time
  model::JobRecord b1 = Job("beta", "error");
  b1.end_ms = 0;  // an error job has no end time
  model::JobRecord b2 = Job("beta", "complete");
  MustCommit(JobsBatch({a1, a2, a3, b1, b2}));
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, std::nullopt)),
            (std::vector<Row>{{"alpha", "", "", "complete", "", 2, 350},
                              {"alpha", "", "", "running", "", 1, 0},
                              {"beta", "", "", "complete", "", 1, 100},
                              {"beta", "", "", "error", "", 1, 0}}));

  // A job that ends moves to its new group; the sums follow, and survive a restart.
  WriteBatch done;
  done.job_updates.push_back(JobUpdate{a3.id, "complete", "s", 1.0, a3.start_ms + 10,
                                       a3.start_ms + 50, std::nullopt, std::nullopt, std::nullopt});
  MustCommit(done);
  Reopen();
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, std::nullopt)),
            (std::vector<Row>{{"alpha", "", "", "complete", "", 3, 400},
                              {"beta", "", "", "complete", "", 1, 100},
                              {"beta", "", "", "error", "", 1, 0}}));
}

TEST_P(StoreContractTest, TaskMetricsGroupIterationsByWorkflowTaskMethodAndOutcome) {
  model::JobRecord j1 = Job("alpha", "running");
  model::JobRecord j2 = Job("alpha", "running");
  model::JobRecord j3 = Job("beta", "complete");
  WriteBatch b = JobsBatch({j1, j2, j3});
  model::IterationRecord failed = Iteration(j1.id, 3, "a", "error");
  failed.finish_state = "error";
  failed.end_ms = failed.start_ms + 5;
  b.iterations = {Iteration(j1.id, 1, "workflow_start", "complete"),  // each ran 1 ms
                  Iteration(j1.id, 2, "a", "complete"),
                  failed,
                  Iteration(j2.id, 1, "a", "complete"),
                  Iteration(j2.id, 2, "b", "running"),
                  Iteration(j3.id, 1, "a", "complete")};
  MustCommit(b);
  const std::vector<Row> want = {
      {"alpha", "a", "newVariable", "complete", "success", 2, 2},
      {"alpha", "a", "newVariable", "error", "error", 1, 5},
      {"alpha", "b", "newVariable", "running", "", 1, 0},
      {"alpha", "workflow_start", "workflow_start", "complete", "success", 1, 1},
      {"beta", "a", "newVariable", "complete", "success", 1, 1},
  };
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kTasks, std::nullopt)), want);
  Reopen();
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kTasks, std::nullopt)), want);

  // Deleted jobs leave the aggregates with their iterations.
  auto deleted = jobs().DeleteJobTree(
      j3.id, [](const std::vector<model::JobRecord>&) { return base::Status::Ok(); });
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  std::vector<Row> left(want.begin(), want.end() - 1);
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kTasks, std::nullopt)), left);
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, std::nullopt)),
            (std::vector<Row>{{"alpha", "", "", "running", "", 2, 0}}));
}

TEST_P(StoreContractTest, MetricsCountOnlyTheJobsTheCallerMaySee) {
  model::JobRecord open = Job("alpha", "complete");  // no groups: everyone sees it
  model::JobRecord ops = Job("alpha", "complete");
  ops.groups_json = "[\"ops\"]";
  model::JobRecord secret = Job("alpha", "running");
  secret.groups_json = "[\"secret\"]";
  WriteBatch b = JobsBatch({open, ops, secret});
  b.iterations = {Iteration(open.id, 1, "a", "complete"), Iteration(ops.id, 1, "a", "complete"),
                  Iteration(secret.id, 1, "a", "complete")};
  MustCommit(b);
  const std::vector<std::string> ops_only = {"ops"};
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, ops_only)),
            (std::vector<Row>{{"alpha", "", "", "complete", "", 2, 200}}));
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kTasks, ops_only)),
            (std::vector<Row>{{"alpha", "a", "newVariable", "complete", "success", 2, 2}}));
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, std::vector<std::string>{})),
            (std::vector<Row>{{"alpha", "", "", "complete", "", 1, 100}}));
  EXPECT_EQ(Rows(jobs().Metrics(MetricsOf::kJobs, std::nullopt)),
            (std::vector<Row>{{"alpha", "", "", "complete", "", 2, 200},
                              {"alpha", "", "", "running", "", 1, 0}}));
}

}  // namespace opsflow::store::testing
