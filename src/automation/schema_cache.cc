#include "automation/schema_cache.h"

#include <boost/json.hpp>

namespace opsflow::automation {
namespace bj = boost::json;

namespace {
constexpr size_t kMaxSchemas = 1000;
}  // namespace

std::shared_ptr<const json::Schema> SchemaCache::Of(const bj::object& trigger, std::string* error) {
  const bj::value* s = trigger.if_contains("schema");
  if (!s || !s->is_object()) return nullptr;
  std::string key = bj::serialize(*s);
  std::lock_guard<std::mutex> l(mu_);
  if (auto it = by_text_.find(key); it != by_text_.end()) return it->second;
  auto c = json::Schema::Compile(*s);
  if (!c.ok()) {
    *error = c.status().message();
    return nullptr;
  }
  if (by_text_.size() > kMaxSchemas) by_text_.clear();
  by_text_[key] = *c;
  return *c;
}

}  // namespace opsflow::automation
