// The store contract, part 5: retention (store/retention.h) over the store's RetentionPort and
// DeleteJobTree, with the Clock port: the per-store SQL picks the same roots on every store.
#include "base/clock.h"
#include "base/ids.h"
#include "store/retention.h"
#include "store/testing/store_contract.h"

namespace opsflow::store::testing {
namespace {

constexpr int64_t kDay = 86'400'000;

// A job of workflow `name` in `status` that ended (and was last touched) at `end_ms`.
model::JobRecord Ended(const std::string& name, const std::string& status, int64_t end_ms) {
  model::JobRecord r;
  r.id = base::NewObjectId();
  r.workflow_name = name;
  r.workflow_version = "v1";
  r.status = status;
  r.created_by = "admin";
  r.created_ms = r.start_ms = end_ms - 1000;
  r.last_updated_ms = end_ms;
  if (status != "running" && status != "paused") r.end_ms = end_ms;
  r.state = "x";
  r.ancestors_json = "[\"" + r.id + "\"]";
  return r;
}

}  // namespace

TEST_P(StoreContractTest, RetentionDeletesOldFinishedTreesInBatches) {
  if (!handle_.retention) GTEST_SKIP() << factory().Name() << " has no retention port";
  base::FakeClock clock(kT0 + 100 * kDay);
  const int64_t now = clock.NowMs();
  model::JobRecord old_root = Ended("w", "complete", now - 10 * kDay);
  model::JobRecord old_child = Ended("child", "complete", now - 10 * kDay);
  old_child.parent_json = ParentJson(old_root.id, 0);
  model::JobRecord old_canceled = Ended("w", "canceled", now - 9 * kDay);
  model::JobRecord recent = Ended("w", "complete", now - kDay / 2);
  model::JobRecord old_error = Ended("w", "error", now - 10 * kDay);
  model::JobRecord running = Ended("w", "running", now - 10 * kDay);
  model::JobRecord busy_root = Ended("w", "canceled", now - 10 * kDay);
  model::JobRecord busy_child = Ended("child", "running", now - 10 * kDay);
  busy_child.parent_json = ParentJson(busy_root.id, 0);
  WriteBatch b = JobsBatch(
      {old_root, old_child, old_canceled, recent, old_error, running, busy_root, busy_child});
  b.iterations = {Iteration(old_root.id, 1, "a", "complete"),
                  Iteration(old_child.id, 1, "a", "complete")};
  MustCommit(b);

  RetentionOptions o;
  o.retain_ms = 7 * kDay;
  o.batch = 1;  // one root per run: the runs add up
  Retention r(&jobs(), handle_.retention.get(), &clock, o);
  auto n = r.RunOnce();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 2u);  // the oldest root with its child
  EXPECT_FALSE(jobs().GetJob(old_root.id).ok());
  EXPECT_FALSE(jobs().GetJob(old_child.id).ok());
  auto its = jobs().IterationsOfJob(old_child.id);
  ASSERT_TRUE(its.ok());
  EXPECT_TRUE(its->empty());
  EXPECT_EQ(*r.RunOnce(), 1u);
  EXPECT_FALSE(jobs().GetJob(old_canceled.id).ok());
  EXPECT_EQ(*r.RunOnce(), 0u);  // nothing more: recent, error, running and busy stay
  for (const auto& id : {recent.id, old_error.id, running.id, busy_root.id, busy_child.id}) {
    EXPECT_TRUE(jobs().GetJob(id).ok()) << id;
  }
  // The list total follows (the PostgreSQL counts tables lose what was deleted).
  int64_t total = -1;
  JobIds(Query({}), &total);
  EXPECT_EQ(total, 5);

  // Abandoned errors go only under their own rule; the clock moves the cutoffs.
  o.retain_error_ms = 30 * kDay;
  Retention with_errors(&jobs(), handle_.retention.get(), &clock, o);
  EXPECT_EQ(*with_errors.RunOnce(), 0u);
  clock.Advance(21 * kDay);
  EXPECT_EQ(*with_errors.RunOnce(), 1u);  // the error job, oldest
  EXPECT_FALSE(jobs().GetJob(old_error.id).ok());
  EXPECT_EQ(*with_errors.RunOnce(), 1u);  // `recent` is old now too
  EXPECT_EQ(*with_errors.RunOnce(), 0u);
}

TEST_P(StoreContractTest, RetentionPerWorkflowOverridesTheDefault) {
  if (!handle_.retention) GTEST_SKIP() << factory().Name() << " has no retention port";
  base::FakeClock clock(kT0 + 100 * kDay);
  const int64_t now = clock.NowMs();
  model::JobRecord w_old = Ended("w", "complete", now - 10 * kDay);
  model::JobRecord keep_old = Ended("keep", "complete", now - 10 * kDay);     // 30d rule
  model::JobRecord keep_older = Ended("keep", "complete", now - 40 * kDay);   // over 30d
  model::JobRecord short_new = Ended("short", "canceled", now - 2 * kDay);    // 1d rule
  model::JobRecord short_fresh = Ended("short", "complete", now - kDay / 4);  // under 1d
  model::JobRecord odd = Ended("a \"quoted\" \\ name", "complete", now - 10 * kDay);
  MustCommit(JobsBatch({w_old, keep_old, keep_older, short_new, short_fresh, odd}));

  RetentionOptions o;
  o.retain_ms = 7 * kDay;
  o.per_workflow = {{"keep", 30 * kDay}, {"short", kDay}, {"a \"quoted\" \\ name", 20 * kDay}};
  Retention r(&jobs(), handle_.retention.get(), &clock, o);
  auto n = r.RunOnce();
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 3u);  // w_old (default 7d), keep_older (30d), short_new (1d)
  EXPECT_FALSE(jobs().GetJob(w_old.id).ok());
  EXPECT_FALSE(jobs().GetJob(keep_older.id).ok());
  EXPECT_FALSE(jobs().GetJob(short_new.id).ok());
  EXPECT_TRUE(jobs().GetJob(keep_old.id).ok());
  EXPECT_TRUE(jobs().GetJob(short_fresh.id).ok());
  EXPECT_TRUE(jobs().GetJob(odd.id).ok());  // its own 20d rule, not the default 7d
  EXPECT_EQ(*r.RunOnce(), 0u);

  // Only per-workflow rules (no default): other workflows are kept forever.
  RetentionOptions only;
  only.per_workflow = {{"short", kDay}};
  Retention r2(&jobs(), handle_.retention.get(), &clock, only);
  clock.Advance(50 * kDay);
  EXPECT_EQ(*r2.RunOnce(), 1u);  // short_fresh
  EXPECT_TRUE(jobs().GetJob(keep_old.id).ok());
  EXPECT_TRUE(jobs().GetJob(odd.id).ok());
}

TEST_P(StoreContractTest, RetentionArchivesFirstAndAFailedArchiveDeletesNothing) {
  if (!handle_.retention) GTEST_SKIP() << factory().Name() << " has no retention port";
  base::FakeClock clock(kT0 + 100 * kDay);
  model::JobRecord root = Ended("w", "complete", clock.NowMs() - 10 * kDay);
  model::JobRecord child = Ended("child", "complete", clock.NowMs() - 10 * kDay);
  child.parent_json = ParentJson(root.id, 0);
  MustCommit(JobsBatch({root, child}));
  RetentionOptions o;
  o.retain_ms = kDay;
  std::vector<std::string> archived;
  Retention failing(&jobs(), handle_.retention.get(), &clock, o,
                    [](JobStore*, const std::vector<std::string>&, int64_t) {
                      return base::Unavailable("disk full");
                    });
  EXPECT_FALSE(failing.RunOnce().ok());
  EXPECT_TRUE(jobs().GetJob(root.id).ok());
  Retention r(&jobs(), handle_.retention.get(), &clock, o,
              [&](JobStore* js, const std::vector<std::string>& ids, int64_t) {
                for (const auto& id : ids) {
                  EXPECT_TRUE(js->GetJob(id).ok());  // still there when archived
                  archived.push_back(id);
                }
                return base::Status::Ok();
              });
  EXPECT_EQ(*r.RunOnce(), 2u);
  EXPECT_EQ(archived, (std::vector<std::string>{root.id, child.id}));
}

TEST_P(StoreContractTest, RetentionRunsOnlyWhileActive) {
  if (!handle_.retention) GTEST_SKIP() << factory().Name() << " has no retention port";
  base::FakeClock clock(kT0 + 100 * kDay);
  model::JobRecord old = Ended("w", "complete", clock.NowMs() - 10 * kDay);
  MustCommit(JobsBatch({old}));
  RetentionOptions o;
  o.retain_ms = kDay;
  bool leader = false;
  Retention r(&jobs(), handle_.retention.get(), &clock, o, nullptr, [&] { return leader; });
  EXPECT_EQ(*r.RunOnce(), 0u);  // not the cluster's leader: nothing
  EXPECT_TRUE(jobs().GetJob(old.id).ok());
  leader = true;
  EXPECT_EQ(*r.RunOnce(), 1u);
}

}  // namespace opsflow::store::testing
