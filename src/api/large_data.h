// Job variables too large to inline in a job document (IAP's exportLargeData; docs/DECISIONS.md
// "Large data"). GET /operations-manager/jobs/:id and the job list answer a top-level job
// variable whose compact JSON text exceeds kLargeDataBytes as the marker
//   {"$largeData": "<id>", "size": <bytes>}
// and GET /operations-manager/large-data/:id (large_data_routes.cc) answers the value itself.
// The stored job is unchanged: the marker is made when the document is answered; the id is
// "<job _id>-<hex of the variable name>", so it needs no storage of its own.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace opsflow::api {

inline constexpr size_t kLargeDataBytes = size_t(1) << 20;  // 1 MiB

// Replaces the large variables of job document `job` by their markers.
void MarkLargeData(boost::json::value& job);
// The large-data id of variable `name` of job `job_id`.
std::string LargeDataId(const std::string& job_id, const std::string& name);
// (job id, variable name) of a large-data id; nullopt when malformed.
std::optional<std::pair<std::string, std::string>> ParseLargeDataId(const std::string& id);

}  // namespace opsflow::api
