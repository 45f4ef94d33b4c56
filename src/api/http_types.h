// The boundary between the HTTP front (http/) and the API (api/): plain request and response
// values and an asynchronous handler. No Boost.Beast types cross it.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opsflow::api {

struct Request {
  std::string method;  // upper case: "GET", "POST", ...
  std::string target;  // as received, e.g. "/operations-manager/jobs?limit=5"
  std::string path;    // percent-decoded path without the query
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order, repeats kept
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_addr;

  // The first header named `name` (lower case), or "".
  std::string_view Header(std::string_view name) const;
  // The value of cookie `name` from the Cookie header, or "".
  std::string Cookie(std::string_view name) const;
  // The first query parameter named `name`, or nullptr.
  const std::string* Query(std::string_view name) const;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Set-Cookie ...)
};

// Completes a request. Must be called exactly once, from any thread.
using Responder = std::function<void(Response)>;

// The API as the HTTP front sees it.
// Thread-safety: Handle is called concurrently from the HTTP threads.
class Handler {
 public:
  virtual ~Handler() = default;
  virtual void Handle(Request req, Responder done) = 0;
};

// Builds a JSON error envelope {"message":..., "data":null, "metadata":{}} response.
Response ErrorResponse(int status, std::string_view message);

}  // namespace opsflow::api
