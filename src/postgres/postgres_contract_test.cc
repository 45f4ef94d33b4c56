// The store contract suite (store/testing/store_contract.h) on the PostgreSQL store, against the
// server named by OPSFLOW_TEST_PG_URL (scripts/pg-test-server sets it; ctest -R postgres). Every
// test skips when the variable is unset.
#include "postgres/testing/postgres_factory.h"
#include "store/testing/store_contract.h"

namespace opsflow::postgres::testing {
namespace {

using store::testing::StoreContractTest;

// Skips every test of this binary when there is no server to run them on.
class PostgresEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!PostgresStoreFactory::Enabled()) {
      GTEST_SKIP() << kTestUrlEnv << " is not set: no PostgreSQL server to test against "
                   << "(scripts/pg-test-server starts one)";
    }
  }
};

const ::testing::Environment* const kEnvironment =
    ::testing::AddGlobalTestEnvironment(new PostgresEnvironment);

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContractTest, ::testing::Values(PostgresFactory()),
                         store::testing::FactoryName());

}  // namespace
}  // namespace opsflow::postgres::testing
