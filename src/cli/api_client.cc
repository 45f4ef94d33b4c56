#include "cli/api_client.h"

#include <curl/curl.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <mutex>

#include "json/parse.h"

namespace opsflow::cli {

namespace bj = boost::json;

namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string TrimTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

ConnectionSettings ResolveConnection(const std::string& url_flag, const std::string& user_flag,
                                     const std::string& password_flag,
                                     const std::string& token_flag,
                                     const char* (*getenv_fn)(const char*)) {
  auto env = [getenv_fn](const char* name) -> std::string {
    const char* v = getenv_fn ? getenv_fn(name) : std::getenv(name);
    return v ? std::string(v) : std::string();
  };
  ConnectionSettings s;
  std::string url = !url_flag.empty() ? url_flag : env("OPSFLOW_URL");
  if (!url.empty()) s.url = url;
  s.url = TrimTrailingSlash(s.url);
  s.user = !user_flag.empty() ? user_flag : env("OPSFLOW_USER");
  s.password = !password_flag.empty() ? password_flag : env("OPSFLOW_PASSWORD");
  s.token = !token_flag.empty() ? token_flag : env("OPSFLOW_TOKEN");
  s.cacert = env("OPSFLOW_CACERT");  // --cacert, where a command has it, is set by the caller
  return s;
}

std::string UrlEncode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string ServerMessage(std::string_view body) {
  auto parsed = json::Parse(body);
  if (parsed.ok() && parsed->is_object()) {
    const bj::object& o = parsed->as_object();
    if (auto* m = o.if_contains("message"); m && m->is_string() && !m->as_string().empty()) {
      return std::string(m->as_string());
    }
    if (auto* e = o.if_contains("error"); e && e->is_string()) return std::string(e->as_string());
  }
  std::string text(body);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  size_t start = 0;
  while (start < text.size() && std::isspace(static_cast<unsigned char>(text[start]))) ++start;
  text.erase(0, start);
  if (text.size() > 300) text = text.substr(0, 300) + "...";
  return text;
}

ApiClient::ApiClient(ConnectionSettings settings) : settings_(std::move(settings)) {
  GlobalInit();
  curl_ = curl_easy_init();
  bearer_ = settings_.token;
}

ApiClient::~ApiClient() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

base::Result<HttpReply> ApiClient::Perform(std::string_view method, std::string_view path,
                                           std::string_view body) {
  CURL* c = static_cast<CURL*>(curl_);
  if (!c) return base::Internal("Cannot initialise libcurl");
  curl_easy_reset(c);
  std::string url = settings_.url + std::string(path);
  std::string method_str(method);
  HttpReply reply;
  char errbuf[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method_str.c_str());
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 600000L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply.body);
  if (!settings_.cacert.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, settings_.cacert.c_str());
  if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  } else if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  std::string auth;
  if (!bearer_.empty()) {
    auth = "Authorization: Bearer " + bearer_;
    headers = curl_slist_append(headers, auth.c_str());
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  CURLcode rc = curl_easy_perform(c);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    std::string detail = errbuf[0] ? std::string(errbuf) : std::string(curl_easy_strerror(rc));
    return base::Unavailable("Cannot reach the opsflow server at " + settings_.url + ": " + detail);
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
  return reply;
}

base::Status ApiClient::EnsureAuthenticated() {
  if (!bearer_.empty() || login_attempted_ || settings_.user.empty()) return base::Status::Ok();
  login_attempted_ = true;
  bj::object user{{"username", settings_.user}, {"password", settings_.password}};
  bj::object body{{"user", std::move(user)}};
  OPSFLOW_ASSIGN_OR_RETURN(HttpReply reply,
                           Perform("POST", "/login", bj::serialize(bj::value(std::move(body)))));
  if (reply.status < 200 || reply.status >= 300) {
    std::string msg = ServerMessage(reply.body);
    return base::Unauthenticated("Login as '" + settings_.user + "' failed (HTTP " +
                                 std::to_string(reply.status) + ")" +
                                 (msg.empty() ? "" : ": " + msg));
  }
  std::string token = reply.body;
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  // Tolerate a JSON-quoted token or {"token": ...} as well as the raw text.
  auto parsed = json::Parse(token);
  if (parsed.ok() && parsed->is_string()) token = std::string(parsed->as_string());
  if (parsed.ok() && parsed->is_object()) {
    if (auto* t = parsed->as_object().if_contains("token"); t && t->is_string()) {
      token = std::string(t->as_string());
    }
  }
  bearer_ = token;
  return base::Status::Ok();
}

base::Result<HttpReply> ApiClient::Send(std::string_view method, std::string_view path,
                                        std::string_view body) {
  OPSFLOW_RETURN_IF_ERROR(EnsureAuthenticated());
  return Perform(method, path, body);
}

base::Result<bj::value> ApiClient::Call(std::string_view method, std::string_view path,
                                        const bj::value* body) {
  std::string text = body ? bj::serialize(*body) : std::string();
  OPSFLOW_ASSIGN_OR_RETURN(HttpReply reply, Send(method, path, text));
  if (reply.status < 200 || reply.status >= 300) {
    std::string msg = ServerMessage(reply.body);
    std::string hint;
    if (reply.status == 401 && bearer_.empty()) {
      hint = " (give --user/--password or set OPSFLOW_TOKEN)";
    }
    base::Code code = reply.status == 404   ? base::Code::kNotFound
                      : reply.status == 401 ? base::Code::kUnauthenticated
                      : reply.status < 500  ? base::Code::kInvalidArgument
                                            : base::Code::kInternal;
    return base::Status(code, std::string(method) + " " + std::string(path) + " failed (HTTP " +
                                  std::to_string(reply.status) + ")" +
                                  (msg.empty() ? "" : ": " + msg) + hint);
  }
  if (reply.body.empty()) return bj::value();
  json::ParseLimits limits;
  limits.max_bytes = 1024u * 1024u * 1024u;
  limits.max_depth = 512;
  auto parsed = json::Parse(reply.body, limits);
  if (!parsed.ok()) {
    return base::Internal(std::string(method) + " " + std::string(path) +
                          " answered something that is not JSON: " + parsed.status().message());
  }
  return std::move(parsed).value();
}

}  // namespace opsflow::cli
