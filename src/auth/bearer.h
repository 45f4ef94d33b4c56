// The token of an `Authorization` header (RFC 9110 §11.6.2, RFC 6750 §2.1): the scheme
// "Bearer" in any case, one or more spaces, then the token (surrounding blanks dropped).
// Thread-safety: a pure function.
#pragma once

#include <string>
#include <string_view>

namespace opsflow::auth {

// The bearer token in `authorization`, or "" when the header holds no bearer credentials.
std::string BearerToken(std::string_view authorization);

}  // namespace opsflow::auth
