#include "http/request_convert.h"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <cctype>

namespace opsflow::http {

namespace beast_http = boost::beast::http;

namespace {

// Characters that RFC 3986 forbids in a path or query but that real clients send unescaped
// (`in[status]=a`, raw UTF-8). They are escaped before parsing so they decode to themselves;
// '%' is left alone, so a malformed escape is still an error.
bool NeedsLenientEscape(unsigned char c) {
  switch (c) {
    case '[':
    case ']':
    case '{':
    case '}':
    case '|':
    case '\\':
    case '^':
    case '`':
    case '"':
    case '<':
    case '>':
      return true;
    default:
      return c >= 0x80;
  }
}

std::string LenientEscape(std::string_view target) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(target.size() + 16);
  for (char ch : target) {
    auto c = static_cast<unsigned char>(ch);
    if (NeedsLenientEscape(c)) {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

}  // namespace

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
static bool IsValidUtf8(std::string_view s) {
  static const uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t n;
    uint32_t cp;
    if ((c >> 5) == 6) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c >> 4) == 14) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c >> 3) == 30) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

base::Status ParseTarget(std::string_view raw_target, std::string* path,
                         std::vector<std::pair<std::string, std::string>>* query) {
  std::string escaped;
  std::string_view target = raw_target;
  for (char ch : raw_target) {
    if (NeedsLenientEscape(static_cast<unsigned char>(ch))) {
      escaped = LenientEscape(raw_target);
      target = escaped;
      break;
    }
  }
  auto parsed = (!target.empty() && target.front() == '/') ? boost::urls::parse_origin_form(target)
                                                           : boost::urls::parse_uri(target);
  if (!parsed) {
    return base::InvalidArgument("The request target is not a valid URL path and query");
  }
  const boost::urls::url_view& u = *parsed;
  *path = u.path();
  if (path->empty()) path->push_back('/');
  query->clear();
  if (u.has_query()) {
    boost::urls::encoding_opts opts;
    opts.space_as_plus = true;
    for (auto param : u.params(opts)) {
      query->emplace_back(param.key, param.has_value ? param.value : std::string());
    }
  }
  // Everything decoded from the target ends up in JSON (messages, filters): it must be UTF-8.
  bool valid = IsValidUtf8(*path);
  for (const auto& [k, v] : *query) valid = valid && IsValidUtf8(k) && IsValidUtf8(v);
  if (!valid) return base::InvalidArgument("The request target is not valid UTF-8 once decoded");
  return base::Status::Ok();
}

base::Result<api::Request> ToApiRequest(BeastRequest& req, std::string remote_addr) {
  api::Request out;
  out.method = std::string(req.method_string());
  for (char& c : out.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  out.target = std::string(req.target());
  OPSFLOW_RETURN_IF_ERROR(ParseTarget(out.target, &out.path, &out.query));
  out.headers.reserve(8);
  for (const auto& field : req) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(req.body());
  out.remote_addr = std::move(remote_addr);
  return out;
}

BeastResponse ToBeastResponse(api::Response res, unsigned version, bool keep_alive, bool head) {
  BeastResponse out;
  out.version(version);
  if (res.status < 100 || res.status > 999) res.status = 500;
  out.result(static_cast<unsigned>(res.status));
  if (!res.content_type.empty()) out.set(beast_http::field::content_type, res.content_type);
  for (auto& [name, value] : res.headers) out.insert(name, value);
  const bool no_body =
      (res.status >= 100 && res.status < 200) || res.status == 204 || res.status == 304;
  if (no_body) {
    res.body.clear();
  } else {
    out.content_length(res.body.size());
  }
  if (!head) out.body() = std::move(res.body);
  out.keep_alive(keep_alive);
  return out;
}

}  // namespace opsflow::http
