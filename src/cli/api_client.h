// A blocking REST client for the opsflow server (libcurl easy interface, one keep-alive
// connection reused across calls). Logs in lazily with the configured user and password.
// Thread-safety: one thread at a time per ApiClient.
#pragma once

#include <boost/json/fwd.hpp>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::cli {

struct ConnectionSettings {
  std::string url = "http://127.0.0.1:3000";  // base URL, no trailing slash needed
  std::string user;
  std::string password;
  std::string token;  // used as "Authorization: Bearer <token>" when set
  std::string cacert;  // PEM CA file verifying an https:// server (OPSFLOW_CACERT); "": system CAs
};

// Fills the settings from the environment (OPSFLOW_URL, OPSFLOW_USER, OPSFLOW_PASSWORD,
// OPSFLOW_TOKEN); a non-empty flag value overrides its variable. `getenv` is injectable for tests.
ConnectionSettings ResolveConnection(const std::string& url_flag, const std::string& user_flag,
                                     const std::string& password_flag,
                                     const std::string& token_flag,
                                     const char* (*getenv_fn)(const char*) = nullptr);

struct HttpReply {
  long status = 0;
  std::string body;
};

// Percent-encodes `s` for use in a path segment or a query value.
std::string UrlEncode(std::string_view s);

// The envelope's `message` when `body` is a JSON object with one, else the trimmed body
// (shortened), else "".
std::string ServerMessage(std::string_view body);

class ApiClient {
 public:
  explicit ApiClient(ConnectionSettings settings);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // Sends one request (`path` includes any query) and returns whatever the server answered.
  // Unavailable when the server cannot be reached.
  base::Result<HttpReply> Send(std::string_view method, std::string_view path,
                               std::string_view body = {});

  // Sends a JSON request (body may be null) and requires a 2xx answer; returns the parsed
  // reply. Errors carry one sentence: "<METHOD> <path> failed (HTTP 404): <server message>".
  base::Result<boost::json::value> Call(std::string_view method, std::string_view path,
                                        const boost::json::value* body = nullptr);

  const ConnectionSettings& settings() const { return settings_; }

 private:
  base::Status EnsureAuthenticated();
  base::Result<HttpReply> Perform(std::string_view method, std::string_view path,
                                  std::string_view body);

  ConnectionSettings settings_;
  std::string bearer_;  // the token in use, "" when none
  bool login_attempted_ = false;
  void* curl_ = nullptr;  // CURL*
};

}  // namespace opsflow::cli
