// Internal to api/: the {jobIds: [...]} body of the bulk job routes that are not job control
// (jobs/delete, jobs/watch, jobs/unwatch; job_bulk.cc), with the limit of the bulk control routes.
// Thread-safety: stateless functions.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "api/api.h"
#include "api/routes.h"

namespace opsflow::api {

inline constexpr size_t kMaxBulkJobIds = 100;

// Parses {jobIds: [<24-hex id>, ...]} (1 to kMaxBulkJobIds ids; repeats kept once, in order);
// replies 400 naming the problem and returns false otherwise.
bool ParseJobIds(Api::State& s, Call& c, std::vector<std::string>* ids);

}  // namespace opsflow::api
