// Identifier generation and checks: 24-hex ObjectIds and RFC 4122 v4 UUIDs.
// Thread-safety: every function is safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opsflow::base {

// A new MongoDB-style ObjectId: 4 bytes of seconds, 5 random bytes, a 3-byte counter.
std::string NewObjectId();
// A new random (version 4) UUID in canonical lower-case form.
std::string NewUuid();
// `n` random bytes as lower-case hex (2n characters), from the OS's CSPRNG.
std::string RandomHex(size_t n);

// The id of the `seq`-th task iteration of the job `object_id` (24 hex): a UUID (version 8,
// RFC 9562 custom) whose first 30 characters are the same for every iteration of one job and
// which sort in job-id order, so the store appends instead of scattering inserts.
// REQUIRES: IsObjectId(object_id), seq < 2^24.
std::string IterationUuid(std::string_view object_id, uint32_t seq);
// The first 30 characters shared by every IterationUuid of `object_id`.
std::string IterationUuidPrefix(std::string_view object_id);
// The seq of an IterationUuid, or -1 when `uuid` is not one.
int64_t IterationUuidSeq(std::string_view uuid);

bool IsObjectId(std::string_view s);
bool IsUuid(std::string_view s);

}  // namespace opsflow::base
