// Retention's PostgreSQL side (store/retention.h): which root jobs are due, with this store's
// SQL, on a connection of its own (the store's write path is not involved; the deletion is
// PostgresStore::DeleteJobTree, one transaction per root job, which keeps the counts tables).
// Thread-safety: PurgeCandidates may be called from any thread (one connection, a mutex).
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/retention.h"

namespace opsflow::postgres {

class Conn;

class PgRetention final : public store::RetentionPort {
 public:
  // Connects to `url` (the --store URL).
  static base::Result<std::unique_ptr<PgRetention>> Open(const std::string& url);
  ~PgRetention() override;

  base::Result<std::vector<std::string>> PurgeCandidates(const store::PurgeQuery& q) override;

 private:
  explicit PgRetention(std::unique_ptr<Conn> conn);
  std::mutex mu_;
  std::unique_ptr<Conn> conn_;  // guarded by mu_
};

}  // namespace opsflow::postgres
