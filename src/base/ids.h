// Identifier generation and checks: 24-hex ObjectIds and RFC 4122 v4 UUIDs.
// Thread-safety: every function is safe to call from any thread.
#pragma once

#include <string>
#include <string_view>

namespace opsflow::base {

// A new MongoDB-style ObjectId: 4 bytes of seconds, 5 random bytes, a 3-byte counter.
std::string NewObjectId();
// A new random (version 4) UUID in canonical lower-case form.
std::string NewUuid();
// `n` random bytes as lower-case hex (2n characters), from the OS's CSPRNG.
std::string RandomHex(size_t n);

bool IsObjectId(std::string_view s);
bool IsUuid(std::string_view s);

}  // namespace opsflow::base
