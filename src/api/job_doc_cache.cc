#include "api/job_doc_cache.h"

#include <functional>
#include <string_view>

namespace opsflow::api {
namespace {

// The bytes an entry holds (its text, its id twice, and the bookkeeping).
size_t Cost(const std::string& id, const std::string& text) {
  return text.size() + 2 * id.size() + 96;
}

uint64_t Mix(uint64_t h, uint64_t v) {
  // boost::hash_combine's 64-bit mixing.
  return h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 12) + (h >> 4));
}

uint64_t Str(uint64_t h, std::string_view s) {
  return Mix(Mix(h, std::hash<std::string_view>{}(s)), s.size());
}

}  // namespace

bool JobDocCache::Cacheable(const model::JobRecord& rec) {
  // A job in error changes only through a stored change of its record (retry, continue,
  // cancel), which the fingerprint sees; running and paused jobs change all the time.
  return rec.status == "complete" || rec.status == "canceled" || rec.status == "error";
}

uint64_t JobDocCache::Fingerprint(const model::JobRecord& r) {
  uint64_t h = 0;
  for (std::string_view s :
       {std::string_view(r.id), std::string_view(r.workflow_name),
        std::string_view(r.workflow_version), std::string_view(r.status),
        std::string_view(r.description), std::string_view(r.type), std::string_view(r.created_by),
        std::string_view(r.groups_json), std::string_view(r.variables_json),
        std::string_view(r.errors_json), std::string_view(r.state), std::string_view(r.parent_json),
        std::string_view(r.ancestors_json), std::string_view(r.watchers_json)}) {
    h = Str(h, s);
  }
  for (int64_t v : {r.created_ms, r.last_updated_ms, r.start_ms, r.end_ms}) {
    h = Mix(h, static_cast<uint64_t>(v));
  }
  return Mix(h, std::hash<double>{}(r.progress));
}

std::shared_ptr<const std::string> JobDocCache::Get(const std::string& id, uint64_t fingerprint) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = by_id_.find(id);
  if (it == by_id_.end() || it->second->fingerprint != fingerprint) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return it->second->text;
}

void JobDocCache::Put(const std::string& id, uint64_t fingerprint,
                      std::shared_ptr<const std::string> text) {
  if (!text || Cost(id, *text) > max_bytes_) return;
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = by_id_.find(id); it != by_id_.end()) {
    bytes_ -= Cost(id, *it->second->text);
    lru_.erase(it->second);
    by_id_.erase(it);
  }
  bytes_ += Cost(id, *text);
  lru_.push_front(Entry{id, fingerprint, std::move(text)});
  by_id_.emplace(id, lru_.begin());
  EvictLocked();
}

void JobDocCache::EvictLocked() {
  while (bytes_ > max_bytes_ && !lru_.empty()) {
    const Entry& e = lru_.back();
    bytes_ -= Cost(e.id, *e.text);
    by_id_.erase(e.id);
    lru_.pop_back();
  }
}

size_t JobDocCache::bytes() const {
  std::lock_guard<std::mutex> l(mu_);
  return bytes_;
}

size_t JobDocCache::entries() const {
  std::lock_guard<std::mutex> l(mu_);
  return lru_.size();
}

}  // namespace opsflow::api
