// The store contract, part 3: FaultyStore (store/testing/faulty_store.h) over the store under
// test: failed commits write nothing and the store goes on; a crash before the commit is durable
// loses it, after it keeps it, and either way nothing later reaches the store.
#include "base/ids.h"
#include "store/testing/faulty_store.h"
#include "store/testing/store_contract.h"

namespace opsflow::store::testing {

TEST_P(StoreContractTest, FaultyStoreFailsTheNthCommitsOnly) {
  FaultyStore f(&jobs(), &docs());
  f.FailCommits(2, 2, base::Aborted("boom"));
  std::vector<model::JobRecord> recs;
  std::vector<base::Status> results;
  for (int i = 0; i < 4; ++i) {
    recs.push_back(Job("w", "running"));
    results.push_back(f.Commit(JobsBatch({recs.back()})));
  }
  EXPECT_TRUE(results[0].ok());
  EXPECT_EQ(results[1].code(), base::Code::kAborted);
  EXPECT_EQ(results[2].code(), base::Code::kAborted);
  EXPECT_TRUE(results[3].ok());
  EXPECT_EQ(f.commits(), 4);
  EXPECT_EQ(f.failed_commits(), 2);
  EXPECT_FALSE(f.crashed());
  EXPECT_TRUE(jobs().GetJob(recs[0].id).ok());
  EXPECT_FALSE(jobs().GetJob(recs[1].id).ok());
  EXPECT_FALSE(jobs().GetJob(recs[2].id).ok());
  EXPECT_TRUE(jobs().GetJob(recs[3].id).ok());
  // Reads and documents pass through.
  EXPECT_TRUE(f.GetJob(recs[3].id).ok());
  ASSERT_TRUE(f.Put("workflow", "w", "{}").ok());
  EXPECT_TRUE(docs().Get("workflow", "w").ok());
  std::vector<model::Expr> residual;
  auto page = f.ListJobs(Query({}), &residual);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);
}

TEST_P(StoreContractTest, FaultyStoreCrashBeforeDurableLosesThatCommitAndEverythingAfter) {
  FaultyStore f(&jobs(), &docs());
  f.CrashAtCommit(2, FaultyStore::CrashPoint::kBeforeDurable);
  model::JobRecord first = Job("w", "running"), second = Job("w", "running"),
                   third = Job("w", "running");
  ASSERT_TRUE(f.Commit(JobsBatch({first})).ok());
  EXPECT_FALSE(f.crashed());
  EXPECT_TRUE(f.Commit(JobsBatch({second})).ok());  // the caller cannot tell
  EXPECT_TRUE(f.crashed());
  EXPECT_TRUE(f.WaitCrashed(0));
  EXPECT_TRUE(f.Commit(JobsBatch({third})).ok());
  EXPECT_TRUE(f.Put("workflow", "late", "{}").ok());
  EXPECT_TRUE(f.Delete("workflow", "late").ok());
  EXPECT_EQ(f.GetJob(first.id).status().code(), base::Code::kUnavailable);
  EXPECT_EQ(f.Get("workflow", "late").status().code(), base::Code::kUnavailable);
  EXPECT_FALSE(f.EditJobLists(first.id, [](model::JobRecord*) { return base::Status::Ok(); }).ok());
  EXPECT_EQ(f.commits(), 3);

  Reopen();  // the restart sees only what was durable before the crash
  EXPECT_TRUE(jobs().GetJob(first.id).ok());
  EXPECT_EQ(jobs().GetJob(second.id).status().code(), base::Code::kNotFound);
  EXPECT_EQ(jobs().GetJob(third.id).status().code(), base::Code::kNotFound);
  EXPECT_EQ(docs().Get("workflow", "late").status().code(), base::Code::kNotFound);
}

TEST_P(StoreContractTest, FaultyStoreCrashAfterDurableKeepsThatCommitOnly) {
  FaultyStore f(&jobs(), &docs());
  f.CrashAtCommit(1, FaultyStore::CrashPoint::kAfterDurable);
  model::JobRecord first = Job("w", "running"), second = Job("w", "running");
  EXPECT_TRUE(f.Commit(JobsBatch({first})).ok());
  EXPECT_TRUE(f.crashed());
  EXPECT_TRUE(f.Commit(JobsBatch({second})).ok());
  Reopen();
  EXPECT_TRUE(jobs().GetJob(first.id).ok());
  EXPECT_EQ(jobs().GetJob(second.id).status().code(), base::Code::kNotFound);
}

}  // namespace opsflow::store::testing
