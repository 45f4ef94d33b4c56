// A bounded cache of finished jobs' answered documents (serialized JSON text, large variables
// already marked), for the job list (job_routes.cc). A complete or canceled job never changes
// (nor does a job in error until it is retried or continued), so its document is built once and
// reused while its stored record stays the same: the entry is
// keyed by the job id and checked against a fingerprint of the whole record (every column), so
// a record changed by any process of a cluster (groups, watchers, a new status) is rebuilt.
// Access is not the cache's business: it only holds documents of rows the list query (scoped to
// the caller's groups) returned. Least recently used entries go first beyond `max_bytes`.
// Thread-safety: all methods may be called from any thread (one mutex).
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "model/records.h"

namespace opsflow::api {

class JobDocCache {
 public:
  explicit JobDocCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // True for a record whose document may be cached (complete, canceled or error).
  static bool Cacheable(const model::JobRecord& rec);
  // A hash of every column of `rec`.
  static uint64_t Fingerprint(const model::JobRecord& rec);

  // The cached text of job `id` when its entry has `fingerprint`; null otherwise.
  std::shared_ptr<const std::string> Get(const std::string& id, uint64_t fingerprint);
  void Put(const std::string& id, uint64_t fingerprint, std::shared_ptr<const std::string> text);

  size_t bytes() const;
  size_t entries() const;

 private:
  struct Entry {
    std::string id;
    uint64_t fingerprint;
    std::shared_ptr<const std::string> text;
  };
  void EvictLocked();

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_id_;
  size_t bytes_ = 0;
};

}  // namespace opsflow::api
