// Conversions between Beast messages and the plain api::Request / api::Response values.
// Thread-safety: stateless functions.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "api/http_types.h"
#include "base/status.h"

namespace opsflow::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Splits `target` (origin-form "/p/a%20th?k=v&k=w", or absolute-form) into the percent-decoded
// path and decoded query pairs (in order, repeats kept, '+' read as a space).
// InvalidArgument when the target is not a valid request target (bad percent-encoding ...).
base::Status ParseTarget(std::string_view target, std::string* path,
                         std::vector<std::pair<std::string, std::string>>* query);

// Builds the api::Request for `req` (moves the body out of it). InvalidArgument for a bad target.
base::Result<api::Request> ToApiRequest(BeastRequest& req, std::string remote_addr);

// Builds the wire response: status, Content-Type, extra headers, Content-Length and Connection.
// For a HEAD request (`head`) the body is dropped but Content-Length is kept.
BeastResponse ToBeastResponse(api::Response res, unsigned version, bool keep_alive, bool head);

}  // namespace opsflow::http
