// Values too large to inline in a job or task document (IAP's exportLargeData; docs/DECISIONS.md
// "Large data"). A document answered by the API shows a value whose compact JSON text exceeds
// the threshold (ApiOptions::large_data_bytes, `serve --large-data-bytes`, 1 MiB by default) as
// the marker
//   {"$largeData": "<id>", "size": <bytes>}
// and GET /operations-manager/large-data/:id (large_data_routes.cc) answers the value itself.
// Marked: the top-level job variables of a job document (GET /jobs/:id, the job list, the reply
// of jobs/start and of a trigger run) and the top-level incoming and outgoing values of a task
// document (GET /tasks/:id, the task list). The stored job is unchanged: the marker is made when
// the document is answered, and the id names where the value lives, so it needs no storage:
//   job variable:        "<job _id>-<hex of the variable name>"
//   task outgoing value: "<task iteration _id>-o-<hex of the output name>"
//   task incoming value: "<task iteration _id>-i-<hex of the input name>"
// (a job _id is 24 hex digits, a task iteration _id a 36-character UUID).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstddef>
#include <optional>
#include <string>

namespace opsflow::api {

inline constexpr size_t kDefaultLargeDataBytes = size_t(1) << 20;  // 1 MiB

// Replaces the large variables of job document `job` by their markers.
void MarkLargeData(boost::json::value& job, size_t threshold);
// Replaces the large incoming and outgoing values of task (iteration) document `task`.
void MarkTaskLargeData(boost::json::value& task, size_t threshold);

// Where a large value lives.
struct LargeDataRef {
  enum class Kind { kJobVariable, kTaskIncoming, kTaskOutgoing };
  Kind kind = Kind::kJobVariable;
  std::string owner;  // the job _id, or the task iteration _id
  std::string name;   // the variable, input or output name
};

// The large-data id of variable `name` of job `job_id`.
std::string LargeDataId(const std::string& job_id, const std::string& name);
// The large-data id of value `name` of task iteration `iteration_id` (outgoing or incoming).
std::string TaskLargeDataId(const std::string& iteration_id, bool outgoing,
                            const std::string& name);
// What a large-data id names; nullopt when malformed.
std::optional<LargeDataRef> ParseLargeDataId(const std::string& id);

}  // namespace opsflow::api
