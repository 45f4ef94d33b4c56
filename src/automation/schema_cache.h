// The compiled JSON Schemas of triggers (an endpoint trigger's `schema` checks its request body;
// an event trigger's checks the event payload), by their serialized text, so a schema is compiled
// once however many runs use it. Bounded: past 1,000 distinct schemas the cache starts over.
// Thread-safety: safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "json/schema.h"

namespace opsflow::automation {

class SchemaCache {
 public:
  // The compiled `schema` member of `trigger`; null when it has none (error left empty) or when
  // it does not compile (`error` says why).
  std::shared_ptr<const json::Schema> Of(const boost::json::object& trigger, std::string* error);

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const json::Schema>> by_text_;
};

}  // namespace opsflow::automation
