// restCall (WorkFlowEngine): one HTTP(S) request to an outside service.
//
// IAP inputs:  uri, verb, user, password, headers, body, responseHeaders
// IAP outputs: response (the parsed body, no wrapper)
// IAP rule:    error on an HTTP or transport failure [inf].
//
// Decisions (IAP is silent on these):
// * uri: required string, http:// or https:// only (any case); anything else is an error before
//   any I/O. Credentials inside the uri (user:pw@host) are never repeated in messages.
// * verb: GET, HEAD, POST, PUT, PATCH, DELETE, any case; absent, null or "" means GET.
// * user/password: basic auth when user is a non-empty string (password "" when absent).
//   A number is accepted as text; other types are an error.
// * headers: an object; a JSON string of an object is accepted too ("" and null mean none).
//   String values are sent as is, numbers and booleans as text, null values are skipped;
//   object/array values, names that are not HTTP tokens and values holding CR, LF or NUL are
//   errors (no header injection). An empty value sends the header with an empty value.
// * body: a string is sent as is (no Content-Type is added); any other JSON value is sent as
//   compact JSON with "Content-Type: application/json" unless headers name a Content-Type.
//   null, "" and (for GET and DELETE) {} mean no body; HEAD never sends one. POST, PUT and
//   PATCH without a body send Content-Length: 0.
// * responseHeaders: boolean (or "true"/"false"); absent or null is false. When true,
//   response = {statusCode, headers, body}: headers of the final response (after redirects)
//   with lower-case names, repeated fields joined with ", " as Node does, except set-cookie,
//   which is always an array of strings; body is what response would be without the flag.
// * response body: parsed as JSON when the Content-Type is application/json or */*+json, or
//   when there is no Content-Type and the text parses; otherwise (and when JSON-typed text does
//   not parse) it is the text. Bytes that are not valid UTF-8 become U+FFFD. No body is "".
// * timeout (opsflow extension): total time in ms (a positive integer), capped at the
//   configured maximum; default 60 s. Connecting (TCP + TLS) gets at most 10 s of it.
// * Finish: 2xx -> success. Any other final status (including a 3xx that cannot be followed,
//   e.g. 304) -> error "restCall: HTTP 404 from GET <uri>: <first 200 bytes of the body>"
//   (bytes cut on a character boundary, trailing space trimmed, no ": " part when the body is
//   empty); the outgoing response is still filled in, for an error branch that wants to look.
//   Transport failures (refused, DNS, TLS, timeout, more than 5 redirects, a redirect to a
//   scheme other than http/https) -> error "restCall: GET <uri> failed: <libcurl's message>".
//   A body over the size cap (10 MiB by default) -> error
//   "restCall: response larger than N bytes from GET <uri>".
// * Transport policy (rest_http.cc): TLS peers always verified; credentials never forwarded to
//   another host on a redirect; proxies from the usual environment variables.
// * Limits come from SetRestCallLimits (rest_call.h), which the server sets from its
//   configuration. The request blocks its worker thread (libcurl easy interface); moving to the
//   multi interface on the runtime's event loop is a later step.
#include "tasks/rest_call.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "json/parse.h"
#include "tasks/builtins.h"
#include "tasks/rest_http.h"
#include "tasks/task_util.h"

namespace opsflow::tasks {

namespace {

std::mutex g_limits_mu;
RestCallLimits g_limits;  // guarded by g_limits_mu

}  // namespace

void SetRestCallLimits(const RestCallLimits& limits) {
  std::lock_guard<std::mutex> lock(g_limits_mu);
  g_limits = limits;
}

RestCallLimits GetRestCallLimits() {
  std::lock_guard<std::mutex> lock(g_limits_mu);
  return g_limits;
}

}  // namespace opsflow::tasks

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

constexpr std::string_view kTask = "restCall";
constexpr size_t kSnippetBytes = 200;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && Lower(s.substr(0, prefix.size())) == prefix;
}

// The uri without user:password@ in its authority, for messages.
std::string RedactUri(std::string_view uri) {
  size_t scheme_end = uri.find("://");
  if (scheme_end == std::string_view::npos) return std::string(uri);
  size_t host_start = scheme_end + 3;
  size_t authority_end = uri.find_first_of("/?#", host_start);
  if (authority_end == std::string_view::npos) authority_end = uri.size();
  size_t at = uri.substr(host_start, authority_end - host_start).rfind('@');
  if (at == std::string_view::npos) return std::string(uri);
  return std::string(uri.substr(0, host_start)) + std::string(uri.substr(host_start + at + 1));
}

// Length of the valid UTF-8 sequence at s[i], or 0 when it is not one.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n = c < 0x80                   ? 1
             : (c >= 0xC2 && c <= 0xDF) ? 2
             : (c >= 0xE0 && c <= 0xEF) ? 3
             : (c >= 0xF0 && c <= 0xF4) ? 4
                                        : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
  }
  if (n == 3 && ((c == 0xE0 && b(i + 1) < 0xA0) || (c == 0xED && b(i + 1) > 0x9F))) return 0;
  if (n == 4 && ((c == 0xF0 && b(i + 1) < 0x90) || (c == 0xF4 && b(i + 1) > 0x8F))) return 0;
  return n;
}

// `s` with every byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = Utf8SequenceLength(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

// The first kSnippetBytes of a body, cut on a character boundary, for error messages.
std::string Snippet(std::string_view body) {
  std::string text = SanitizeUtf8(body.substr(0, kSnippetBytes + 3));
  if (text.size() > kSnippetBytes) {
    size_t cut = kSnippetBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text.resize(cut);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return text;
}

bool IsToken(std::string_view name) {
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || kExtra.find(c) != std::string_view::npos;
  });
}

struct Parsed {
  HttpRequest req;
  bool response_headers = false;
};

// Fills req.headers from incoming `headers`; sets *has_content_type.
std::optional<TaskResult> ReadHeaders(const json::value* v, HttpRequest& req,
                                      bool* has_content_type) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  json::value parsed;
  const json::object* obj = nullptr;
  if (v->is_string()) {
    if (v->get_string().empty()) return std::nullopt;
    auto r = opsflow::json::Parse(v->get_string());
    if (!r.ok() || !r->is_object()) {
      return Error("restCall: input \"headers\" is a string that is not a JSON object");
    }
    parsed = std::move(r).value();
    obj = &parsed.get_object();
  } else if (v->is_object()) {
    obj = &v->get_object();
  } else {
    return WrongType(kTask, "headers", "an object", v);
  }
  for (const auto& [key, val] : *obj) {
    std::string_view name = key;
    if (!IsToken(name)) {
      return Error("restCall: header name \"" + SanitizeUtf8(name) + "\" is not a valid token");
    }
    if (val.is_null()) continue;
    if (val.is_object() || val.is_array()) {
      return Error("restCall: header \"" + std::string(name) + "\" must be a string, got " +
                   TypeName(val));
    }
    std::string value = ToText(val);
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return Error("restCall: header \"" + std::string(name) +
                   "\" holds a line break or NUL character");
    }
    // libcurl: "Name;" sends an empty header, whereas "Name:" would remove it.
    req.headers.push_back(value.empty() ? std::string(name) + ";"
                                        : std::string(name) + ": " + value);
    if (Lower(name) == "content-type") *has_content_type = true;
  }
  return std::nullopt;
}

// A scalar credential: string, or a number as text. nullopt (with *err set) for other types.
std::optional<std::string> ReadCredential(const json::value* v, std::string_view input,
                                          std::optional<TaskResult>* err) {
  if (v == nullptr || v->is_null()) return std::string();
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_number()) return ToText(*v);
  *err = WrongType(kTask, input, "a string", v);
  return std::nullopt;
}

std::optional<TaskResult> ReadBody(const json::value* v, bool has_content_type, HttpRequest& req) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) {
    if (!v->get_string().empty()) req.body = std::string(v->get_string());
    return std::nullopt;
  }
  bool empty_object = v->is_object() && v->get_object().empty();
  if (empty_object && (req.method == "GET" || req.method == "DELETE")) return std::nullopt;
  req.body = opsflow::json::Serialize(*v);
  if (!has_content_type) req.headers.emplace_back("Content-Type: application/json");
  return std::nullopt;
}

// Reads and checks every input; returns an error result when one is unusable.
std::variant<Parsed, TaskResult> ReadInputs(const TaskContext& ctx) {
  Parsed p;
  HttpRequest& req = p.req;
  const json::value* uri = Find(ctx.incoming, "uri");
  if (uri == nullptr || uri->is_null() || (uri->is_string() && uri->get_string().empty())) {
    return Error("restCall: input \"uri\" is required");
  }
  if (!uri->is_string()) return WrongType(kTask, "uri", "a string", uri);
  req.uri = std::string(uri->get_string());
  if (!StartsWithNoCase(req.uri, "http://") && !StartsWithNoCase(req.uri, "https://")) {
    return Error("restCall: input \"uri\" must be an http:// or https:// URI, got \"" +
                 SanitizeUtf8(RedactUri(req.uri)) + "\"");
  }

  if (const json::value* verb = Find(ctx.incoming, "verb"); verb && !verb->is_null()) {
    if (!verb->is_string()) return WrongType(kTask, "verb", "a string", verb);
    std::string m(verb->get_string());
    std::transform(m.begin(), m.end(), m.begin(), [](char c) {
      return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    if (m.empty()) m = "GET";
    static constexpr std::string_view kVerbs[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    if (std::find(std::begin(kVerbs), std::end(kVerbs), m) == std::end(kVerbs)) {
      return Error(
          "restCall: input \"verb\" must be one of GET, HEAD, POST, PUT, PATCH, "
          "DELETE, got \"" +
          SanitizeUtf8(std::string(verb->get_string())) + "\"");
    }
    req.method = m;
  }

  std::optional<TaskResult> err;
  auto user = ReadCredential(Find(ctx.incoming, "user"), "user", &err);
  if (!user) return std::move(*err);
  auto password = ReadCredential(Find(ctx.incoming, "password"), "password", &err);
  if (!password) return std::move(*err);
  if (!user->empty()) req.basic_auth.emplace(std::move(*user), std::move(*password));

  bool has_content_type = false;
  if (auto e = ReadHeaders(Find(ctx.incoming, "headers"), req, &has_content_type)) {
    return std::move(*e);
  }
  if (auto e = ReadBody(Find(ctx.incoming, "body"), has_content_type, req)) return std::move(*e);

  if (const json::value* rh = Find(ctx.incoming, "responseHeaders"); rh && !rh->is_null()) {
    auto b = AsBool(*rh);
    if (!b) return WrongType(kTask, "responseHeaders", "a boolean", rh);
    p.response_headers = *b;
  }

  RestCallLimits limits = GetRestCallLimits();
  req.timeout_ms = limits.timeout_ms;
  if (const json::value* t = Find(ctx.incoming, "timeout");
      t && !t->is_null() && !(t->is_string() && t->get_string().empty())) {
    auto ms = AsInteger(*t);
    if (!ms || *ms <= 0) return WrongType(kTask, "timeout", "a positive number of ms", t);
    req.timeout_ms = std::min(*ms, limits.max_timeout_ms);
  }
  req.connect_timeout_ms = std::min(limits.connect_timeout_ms, req.timeout_ms);
  req.max_response_bytes = limits.max_response_bytes;
  req.max_header_bytes = limits.max_header_bytes;
  req.max_redirects = limits.max_redirects;
  return p;
}

bool IsJsonMediaType(std::string_view content_type) {
  std::string media = Lower(content_type.substr(0, content_type.find(';')));
  while (!media.empty() && std::isspace(static_cast<unsigned char>(media.back()))) media.pop_back();
  size_t start = media.find_first_not_of(" \t");
  media = start == std::string::npos ? "" : media.substr(start);
  return media == "application/json" ||
         (media.size() > 5 && media.compare(media.size() - 5, 5, "+json") == 0);
}

json::value DecodeBody(const HttpResponse& resp, size_t max_bytes) {
  if (resp.body.empty()) return json::string();
  const std::string* content_type = nullptr;
  for (const auto& [name, value] : resp.headers) {
    if (Lower(name) == "content-type") content_type = &value;
  }
  if (content_type == nullptr || IsJsonMediaType(*content_type)) {
    opsflow::json::ParseLimits limits;
    limits.max_bytes = std::max(max_bytes, resp.body.size());
    auto r = opsflow::json::Parse(resp.body, limits);
    if (r.ok()) return std::move(r).value();
  }
  return json::string(SanitizeUtf8(resp.body));
}

json::object HeadersObject(const HttpResponse& resp) {
  json::object out;
  for (const auto& [raw_name, raw_value] : resp.headers) {
    std::string name = SanitizeUtf8(Lower(raw_name));
    std::string value = SanitizeUtf8(raw_value);
    json::value* existing = out.if_contains(name);
    if (name == "set-cookie") {
      if (existing == nullptr) existing = &(out[name] = json::array());
      existing->get_array().emplace_back(value);
    } else if (existing == nullptr) {
      out[name] = value;
    } else {
      json::string& s = existing->get_string();
      s.append(", ");
      s.append(value);
    }
  }
  return out;
}

}  // namespace

TaskResult RunRestCall(const TaskContext& ctx) {
  auto inputs = ReadInputs(ctx);
  if (auto* err = std::get_if<TaskResult>(&inputs)) return std::move(*err);
  Parsed& p = std::get<Parsed>(inputs);
  const std::string what = p.req.method + " " + SanitizeUtf8(RedactUri(p.req.uri));

  auto r = PerformHttp(p.req);
  if (!r.ok()) {
    if (r.status().code() == base::Code::kResourceExhausted) {
      return Error("restCall: " + r.status().message() + " from " + what);
    }
    return Error("restCall: " + what + " failed: " + r.status().message());
  }
  const HttpResponse& resp = *r;
  json::value body = DecodeBody(resp, static_cast<size_t>(p.req.max_response_bytes));
  json::object out;
  if (p.response_headers) {
    json::object wrapped;
    wrapped["statusCode"] = resp.status;
    wrapped["headers"] = HeadersObject(resp);
    wrapped["body"] = std::move(body);
    out["response"] = std::move(wrapped);
  } else {
    out["response"] = std::move(body);
  }
  if (resp.status >= 200 && resp.status < 300) return Success(std::move(out));

  std::string snippet = Snippet(resp.body);
  std::string message = "restCall: HTTP " + std::to_string(resp.status) + " from " + what;
  if (!snippet.empty()) message += ": " + snippet;
  TaskResult result = Error(std::move(message));
  result.outgoing = std::move(out);
  return result;
}

}  // namespace opsflow::tasks::internal
