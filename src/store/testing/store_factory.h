// StoreFactory: how the store contract suite (store/testing/store_contract.h) and the runtime's
// crash test open, reopen and throw away one JobStore/DocStore implementation. SQLite has one
// (sqlite/testing/sqlite_factory.h); a PostgreSQL store adds its own and one instantiation line.
// Also a registry of the factories a test binary links, for suites above the stores (runtime/)
// that may not include them.
// Thread-safety: factories are immutable; the registry is filled during static initialization
// and only read afterwards.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/job_store.h"
#include "store/retention.h"

namespace opsflow::store::testing {

// An open store: one object seen through both ports (they may be the same object). Dropping
// both pointers closes it.
struct StoreHandle {
  std::shared_ptr<JobStore> jobs;
  std::shared_ptr<DocStore> docs;
  // Retention's side of the store (store/retention.h); null skips the retention contract.
  std::shared_ptr<RetentionPort> retention;
  void Close() {
    jobs.reset();
    docs.reset();
    retention.reset();
  }
};

class StoreFactory {
 public:
  virtual ~StoreFactory() = default;
  // A short name for test names ("Sqlite"): letters and digits only.
  virtual std::string Name() const = 0;
  // A new, empty place a store can be opened at (a temporary folder, a fresh database).
  virtual base::Result<std::string> NewLocation() const = 0;
  // Opens (creating and migrating as needed) the store at `location`. Opening again after the
  // handle is closed is a restart: everything committed before must be there.
  virtual base::Result<StoreHandle> Open(const std::string& location) const = 0;
  // Removes everything at `location`. REQUIRES: no handle on it is open.
  virtual void Destroy(const std::string& location) const = 0;

  // Migrations. The number of schema versions this build knows; 0 skips the upgrade tests.
  virtual int SchemaVersions() const { return 0; }
  // Creates at `location` (fresh from NewLocation) a database at schema `version` (1 ..
  // SchemaVersions() - 1) holding `rows` (versions, new_jobs, iterations, doc_puts), written as
  // that version's schema stores them, without the newer migrations.
  virtual base::Status CreateAtVersion(const std::string& location, int version,
                                       const WriteBatch& rows) const {
    (void)location, (void)version, (void)rows;
    return base::FailedPrecondition("no older schemas");
  }
  // Marks the database at `location` (opened and closed before) as written by a newer build,
  // whose schema this one does not know (Open must then refuse it). False skips that test.
  virtual bool CanMarkNewerSchema() const { return false; }
  virtual base::Status MarkNewerSchema(const std::string& location) const {
    (void)location;
    return base::FailedPrecondition("no schema marks");
  }
};

// The factories registered in this binary, in registration order.
const std::vector<const StoreFactory*>& RegisteredStoreFactories();

// A static of this type registers `f` (which must outlive the binary's tests).
struct RegisterStoreFactory {
  explicit RegisterStoreFactory(const StoreFactory* f);
};

// For INSTANTIATE_TEST_SUITE_P's name generator: the factory's Name().
struct FactoryName {
  template <typename ParamInfo>
  std::string operator()(const ParamInfo& info) const {
    return info.param->Name();
  }
};

}  // namespace opsflow::store::testing
