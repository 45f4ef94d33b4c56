// The store contract, part 4: DeleteJobTree (DELETE /operations-manager/jobs/:jobId).
#include "base/ids.h"
#include "store/testing/store_contract.h"

namespace opsflow::store::testing {

TEST_P(StoreContractTest, DeleteJobTreeRemovesTheJobItsChildrenAndTheirIterations) {
  model::JobRecord root = Job("root", "complete");
  model::JobRecord child = Job("child", "complete");
  child.parent_json = ParentJson(root.id, 0);
  model::JobRecord grandchild = Job("grandchild", "canceled");
  grandchild.parent_json = ParentJson(child.id, 0);
  model::JobRecord other = Job("other", "complete");
  WriteBatch b = JobsBatch({root, child, grandchild, other});
  b.iterations = {Iteration(root.id, 1, "workflow_start", "complete"),
                  Iteration(root.id, 2, "a", "complete"),
                  Iteration(child.id, 1, "workflow_start", "complete"),
                  Iteration(grandchild.id, 1, "workflow_start", "complete"),
                  Iteration(other.id, 1, "workflow_start", "complete")};
  MustCommit(b);

  std::vector<std::string> seen;
  auto deleted = jobs().DeleteJobTree(root.id, [&](const std::vector<model::JobRecord>& tree) {
    for (const auto& r : tree) seen.push_back(r.id);
    return base::Status::Ok();
  });
  ASSERT_TRUE(deleted.ok()) << deleted.status().message();
  EXPECT_EQ(deleted->jobs, 3);
  EXPECT_EQ(deleted->tasks, 4);
  EXPECT_EQ(seen, (std::vector<std::string>{root.id, child.id, grandchild.id}));
  for (const auto& id : {root.id, child.id, grandchild.id}) {
    auto got = jobs().GetJob(id);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), base::Code::kNotFound);
    auto its = jobs().IterationsOfJob(id);
    ASSERT_TRUE(its.ok());
    EXPECT_TRUE(its->empty());
  }
  // Another job is untouched, and the list total follows.
  ASSERT_TRUE(jobs().GetJob(other.id).ok());
  auto its = jobs().IterationsOfJob(other.id);
  ASSERT_TRUE(its.ok());
  EXPECT_EQ(its->size(), 1u);
  int64_t total = 0;
  EXPECT_EQ(JobIds(Query({}), &total), std::vector<std::string>{other.id});
  EXPECT_EQ(total, 1);
  // The jobs stay gone after a restart.
  Reopen();
  EXPECT_FALSE(jobs().GetJob(root.id).ok());
}

TEST_P(StoreContractTest, DeleteJobTreeRefusedByTheCheckDeletesNothing) {
  model::JobRecord root = Job("root", "complete");
  model::JobRecord child = Job("child", "running");
  child.parent_json = ParentJson(root.id, 0);
  WriteBatch b = JobsBatch({root, child});
  b.iterations = {Iteration(root.id, 1, "workflow_start", "complete")};
  MustCommit(b);
  auto refused = jobs().DeleteJobTree(root.id, [&](const std::vector<model::JobRecord>& tree) {
    EXPECT_EQ(tree.size(), 2u);
    EXPECT_EQ(tree.back().status, "running");
    return base::FailedPrecondition("a child runs");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), base::Code::kFailedPrecondition);
  ASSERT_TRUE(jobs().GetJob(root.id).ok());
  ASSERT_TRUE(jobs().GetJob(child.id).ok());
  auto its = jobs().IterationsOfJob(root.id);
  ASSERT_TRUE(its.ok());
  EXPECT_EQ(its->size(), 1u);

  bool called = false;
  auto missing = jobs().DeleteJobTree(base::NewObjectId(), [&](const auto&) {
    called = true;
    return base::Status::Ok();
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
  EXPECT_FALSE(called);
}

}  // namespace opsflow::store::testing
