// A task iteration waiting outside the runtime (for an external adapter worker or a person):
// what both kinds carry. AdapterWork (adapter_queue.h) and ManualWork (manual_tasks.h) add their
// own fields.
// Thread-safety: a plain value.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

namespace opsflow::runtime {

struct WaitingWork {
  std::string id;  // the task iteration's id
  std::string job_id;
  std::string task_id;
  int task = 0;
  uint32_t run = 0;
  std::string method;  // the task's `name`, e.g. "ViewData"
  boost::json::object incoming;
  int64_t created_ms = 0;
};

}  // namespace opsflow::runtime
