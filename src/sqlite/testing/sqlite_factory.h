// The store contract suite's factory for the embedded SQLite store (store/testing/
// store_factory.h): each location is a fresh temporary folder. Linking this library also
// registers the factory (RegisteredStoreFactories), so suites above the stores run on SQLite.
// Thread-safety: immutable.
#pragma once

#include "store/testing/store_factory.h"

namespace opsflow::sqlite::testing {

class SqliteStoreFactory final : public store::testing::StoreFactory {
 public:
  std::string Name() const override { return "Sqlite"; }
  base::Result<std::string> NewLocation() const override;
  base::Result<store::testing::StoreHandle> Open(const std::string& location) const override;
  void Destroy(const std::string& location) const override;
  int SchemaVersions() const override;
  base::Status CreateAtVersion(const std::string& location, int version,
                               const store::WriteBatch& rows) const override;
  bool CanMarkNewerSchema() const override { return true; }
  base::Status MarkNewerSchema(const std::string& location) const override;
};

// The instance the registry holds.
const SqliteStoreFactory* SqliteFactory();

}  // namespace opsflow::sqlite::testing
