// The store contract suite's factory for the PostgreSQL store (store/testing/store_factory.h).
// The server is the one named by the environment variable OPSFLOW_TEST_PG_URL (a postgres://
// URL whose user may create databases; scripts/pg-test-server starts one and sets it); each
// location is a fresh database on it, dropped by Destroy. Enabled() is false when the variable
// is unset, and the tests then skip.
// Thread-safety: immutable.
#pragma once

#include <string>

#include "store/testing/store_factory.h"

namespace opsflow::postgres::testing {

inline constexpr const char* kTestUrlEnv = "OPSFLOW_TEST_PG_URL";

class PostgresStoreFactory final : public store::testing::StoreFactory {
 public:
  std::string Name() const override { return "Postgres"; }
  base::Result<std::string> NewLocation() const override;
  base::Result<store::testing::StoreHandle> Open(const std::string& location) const override;
  void Destroy(const std::string& location) const override;
  int SchemaVersions() const override;
  base::Status CreateAtVersion(const std::string& location, int version,
                               const store::WriteBatch& rows) const override;
  bool CanMarkNewerSchema() const override { return true; }
  base::Status MarkNewerSchema(const std::string& location) const override;

  // The server's URL from OPSFLOW_TEST_PG_URL ("" when unset).
  static std::string ServerUrl();
  static bool Enabled() { return !ServerUrl().empty(); }
};

// The instance the tests use.
const PostgresStoreFactory* PostgresFactory();

// `url` with its database (the path) replaced by `db`; the query string stays.
std::string WithDatabase(const std::string& url, const std::string& db);

}  // namespace opsflow::postgres::testing
