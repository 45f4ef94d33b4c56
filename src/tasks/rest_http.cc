// libcurl easy-interface exchange for restCall. See rest_http.h.
//
// Safety settings, always on: only http and https, for the first request and for every
// redirect (so a Location of file://, ftp://, gopher:// ... fails); at most max_redirects
// redirects; TLS peers and host names verified (libcurl's defaults, never turned off here);
// credentials (basic auth, an Authorization header) not sent to another host on a redirect
// (libcurl's default); no signals (worker threads); the body limit is checked both against
// Content-Length up front and while bytes arrive (decoded bytes, so a compressed bomb is cut
// off too). Proxies come from the usual environment variables (http_proxy, https_proxy,
// no_proxy), which is how an operator points every restCall at a proxy.
#include "tasks/rest_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace opsflow::tasks::internal {

namespace {

// libcurl's global state, initialised once for the process and never cleaned up (other
// threads may still be using it when static destructors run).
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode code = CURLE_OK;
  std::call_once(once, [] { code = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return code;
}

struct EasyDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

// What the callbacks fill in while the transfer runs.
struct Sink {
  HttpResponse response;
  int64_t max_body = 0;
  int64_t max_headers = 0;
  int64_t header_bytes = 0;
  bool body_too_large = false;
  bool headers_too_large = false;
};

size_t OnBody(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  if (static_cast<int64_t>(sink->response.body.size() + len) > sink->max_body) {
    sink->body_too_large = true;
    return CURL_WRITEFUNC_ERROR;
  }
  sink->response.body.append(data, len);
  return len;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Called once per header line of every response (redirects and 1xx included): a status line
// starts a new response, so only the final response's fields remain at the end.
size_t OnHeader(char* data, size_t size, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  size_t len = size * n;
  sink->header_bytes += static_cast<int64_t>(len);
  if (sink->header_bytes > sink->max_headers) {
    sink->headers_too_large = true;
    return 0;  // aborts the transfer
  }
  std::string_view line(data, len);
  if (line.substr(0, 5) == "HTTP/") {
    sink->response.headers.clear();
    return len;
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return len;  // blank line, junk
  std::string_view name = Trim(line.substr(0, colon));
  std::string_view value = Trim(line.substr(colon + 1));
  if ((line.front() == ' ' || line.front() == '\t') && !sink->response.headers.empty()) {
    // An obsolete folded continuation line: part of the previous value.
    auto& last = sink->response.headers.back().second;
    last.append(" ").append(Trim(line));
    return len;
  }
  sink->response.headers.emplace_back(std::string(name), std::string(value));
  return len;
}

bool HasHeader(const std::vector<std::string>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const std::string& h) {
    if (h.size() <= name.size() || h[name.size()] != ':') return false;
    for (size_t i = 0; i < name.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(h[i])) != name[i]) return false;
    }
    return true;
  });
}

}  // namespace

base::Result<HttpResponse> PerformHttp(const HttpRequest& req) {
  if (CURLcode c = GlobalInit(); c != CURLE_OK) {
    return base::Internal(std::string("libcurl initialisation failed: ") + curl_easy_strerror(c));
  }
  std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
  if (!easy) return base::Internal("libcurl: cannot create a handle");
  CURL* h = easy.get();

  Sink sink;
  sink.max_body = req.max_response_bytes;
  sink.max_headers = req.max_header_bytes;
  char errbuf[CURL_ERROR_SIZE] = {};

  std::vector<std::string> lines = req.headers;
  const bool sends_body = req.body.has_value() && req.method != "HEAD";
  // libcurl would add "Content-Type: application/x-www-form-urlencoded" to a body: an empty
  // header suppresses it. "Expect: 100-continue" would cost a round trip: suppressed too.
  if (sends_body && !HasHeader(lines, "content-type")) lines.emplace_back("Content-Type:");
  if (!HasHeader(lines, "expect")) lines.emplace_back("Expect:");
  curl_slist* raw = nullptr;
  for (const std::string& line : lines) {
    curl_slist* next = curl_slist_append(raw, line.c_str());
    if (next == nullptr) {
      curl_slist_free_all(raw);
      return base::Internal("libcurl: out of memory building headers");
    }
    raw = next;
  }
  std::unique_ptr<curl_slist, SlistDeleter> header_list(raw);

  curl_easy_setopt(h, CURLOPT_URL, req.uri.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, static_cast<long>(req.max_redirects));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(req.connect_timeout_ms));
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(req.max_response_bytes));
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding libcurl can decode
  curl_easy_setopt(h, CURLOPT_USERAGENT, "opsflow-restCall");
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
  if (req.basic_auth) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(h, CURLOPT_USERNAME, req.basic_auth->first.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, req.basic_auth->second.c_str());
  }

  if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else if (req.method == "GET" && !sends_body) {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else {
    if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    // POST, PUT and PATCH always carry a body (Content-Length: 0 when none was given);
    // GET and DELETE only when one was given.
    if (sends_body || req.method == "POST" || req.method == "PUT" || req.method == "PATCH") {
      static const std::string kNoBody;
      const std::string& body = sends_body ? *req.body : kNoBody;
      curl_easy_setopt(h, CURLOPT_POST, 1L);
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
      curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body.c_str());
    }
  }

  CURLcode rc = curl_easy_perform(h);
  if (sink.body_too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return base::ResourceExhausted("response larger than " +
                                   std::to_string(req.max_response_bytes) + " bytes");
  }
  if (sink.headers_too_large) {
    return base::ResourceExhausted("response headers larger than " +
                                   std::to_string(req.max_header_bytes) + " bytes");
  }
  if (rc != CURLE_OK) {
    return base::Unavailable(errbuf[0] != '\0' ? std::string(errbuf) : curl_easy_strerror(rc));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &sink.response.status);
  return std::move(sink.response);
}

}  // namespace opsflow::tasks::internal
