// The store contract: the GoogleTest suite every JobStore/DocStore implementation must pass
// (commit and its atomicity, read-your-writes, the list operators and paging, recovery after
// reopen, migrations, the document store, and FaultyStore over it). It is parameterised by a
// StoreFactory (store/testing/store_factory.h); a store's test binary links the
// opsflow_store_contract library and instantiates it with one line, e.g.
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest,
//                            ::testing::Values(sqlite::testing::SqliteFactory()),
//                            store::testing::FactoryName());
// Thread-safety: a test fixture; one test at a time.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "model/query.h"
#include "store/job_store.h"
#include "store/testing/store_factory.h"

namespace opsflow::store::testing {

class StoreContractTest : public ::testing::TestWithParam<const StoreFactory*> {
 protected:
  static constexpr int64_t kT0 = 1700000000000;  // 2023-11-14T22:13:20Z

  void SetUp() override;
  void TearDown() override;

  const StoreFactory& factory() const { return *GetParam(); }
  JobStore& jobs() { return *handle_.jobs; }
  DocStore& docs() { return *handle_.docs; }
  const std::string& location() const { return location_; }
  // Closes the store and opens it again at the same location (a restart).
  void Reopen();
  void Close() { handle_.Close(); }
  void OpenAgain();

  // A complete-looking job record with fresh id; `start_offset` is ms after kT0.
  static model::JobRecord Job(const std::string& name, const std::string& status,
                              int64_t start_offset = 0);
  // The `seq`-th iteration of job `job_id`.
  static model::IterationRecord Iteration(const std::string& job_id, uint32_t seq,
                                          const std::string& task, const std::string& status);
  // A parent_json naming job `parent_id`'s childJob task and loop element.
  static std::string ParentJson(const std::string& parent_id, int element);
  // A WriteBatch with one snapshot "v1" and these jobs.
  static WriteBatch JobsBatch(std::vector<model::JobRecord> jobs);

  // Commits `b` and expects success.
  void MustCommit(const WriteBatch& b);
  // Parses URL list parameters as the API does (limit up to 1000).
  static model::ListQuery Query(const std::vector<std::pair<std::string, std::string>>& params);
  // Lists jobs, expecting the store to apply every filter itself (no residual); returns the
  // ids in page order and sets *total.
  std::vector<std::string> JobIds(const model::ListQuery& q, int64_t* total = nullptr);
  std::vector<std::string> IterationIds(const model::ListQuery& q, int64_t* total = nullptr);

  StoreHandle handle_;
  std::string location_;
};

// Field-by-field equality of records, for EXPECT_EQ-like messages.
void ExpectSameJob(const model::JobRecord& want, const model::JobRecord& got);
void ExpectSameIteration(const model::IterationRecord& want, const model::IterationRecord& got);

}  // namespace opsflow::store::testing
