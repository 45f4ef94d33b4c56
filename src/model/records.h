// The durable records of jobs and task iterations, as the stores keep them. Compact: a job row
// refers to a workflow snapshot by version and holds the engine's encoded state; the IAP
// documents are built from these when read (engine/job_doc.h).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>

namespace opsflow::model {

struct JobRecord {
  std::string id;  // 24-hex ObjectId
  std::string workflow_name;
  std::string workflow_version;  // snapshot key in the workflow_versions table
  // running | paused | complete | error | canceled: the stored column, written from the
  // engine's JobState::status (engine::JobStatusName) by the runtime, which keeps only the enum.
  std::string status;
  std::string description;
  std::string type = "automation";
  std::string created_by;
  int64_t created_ms = 0;
  int64_t last_updated_ms = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;  // 0 while not finished
  double progress = 0;
  std::string groups_json = "[]";
  std::string variables_json = "{}";
  std::string errors_json = "[]";
  std::string state;  // engine::EncodeState
  std::string parent_json = "null";
  std::string ancestors_json = "[]";
  std::string watchers_json = "[]";
};

struct IterationRecord {
  std::string id;  // UUID
  std::string job_id;
  std::string task_id;
  int iteration = 0;   // 0-based run number of the task in its job
  std::string method;  // the task's `name`
  std::string status;  // running | complete | error | canceled
  std::string finish_state;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string incoming_json = "{}";
  std::string outgoing_json = "{}";
  std::string error;  // message, when the run ended in error
};

}  // namespace opsflow::model
