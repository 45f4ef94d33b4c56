// The store contract suite (store/testing/store_contract.h) on the SQLite store.
#include "sqlite/testing/sqlite_factory.h"
#include "store/testing/store_contract.h"

namespace opsflow::sqlite::testing {
namespace {

using store::testing::StoreContractTest;

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContractTest, ::testing::Values(SqliteFactory()),
                         store::testing::FactoryName());

}  // namespace
}  // namespace opsflow::sqlite::testing
