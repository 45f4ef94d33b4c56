#include "json/fields.h"

#include <boost/json.hpp>

namespace opsflow::json {

std::string StringField(const boost::json::object& o, std::string_view key,
                        std::string_view otherwise) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string(otherwise);
}

std::string StringField(const boost::json::value& v, std::string_view key,
                        std::string_view otherwise) {
  if (!v.is_object()) return std::string(otherwise);
  return StringField(v.get_object(), key, otherwise);
}

}  // namespace opsflow::json
