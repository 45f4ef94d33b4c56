#include "api/http_types.h"

#include "base/log.h"

namespace opsflow::api {

std::string_view Request::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (k == name) return v;
  }
  return {};
}

std::string Request::Cookie(std::string_view name) const {
  std::string_view all = Header("cookie");
  size_t pos = 0;
  while (pos < all.size()) {
    size_t end = all.find(';', pos);
    if (end == std::string_view::npos) end = all.size();
    std::string_view part = all.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) {
      return std::string(part.substr(eq + 1));
    }
    pos = end + 1;
  }
  return {};
}

const std::string* Request::Query(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return &v;
  }
  return nullptr;
}

Response ErrorResponse(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.body = "{\"message\":\"" + base::JsonEscape(message) + "\",\"data\":null,\"metadata\":{}}";
  return r;
}

}  // namespace opsflow::api
