// Stub adapters (SPEC §7): canned task results per workflow and task id, in the `stubTasks`
// format of the corpus fixtures, for tests and dry runs. A stubbed task of a job of that
// workflow finishes with the stub's outgoing values instead of running (whatever its kind:
// adapter call, built-in, manual task or child job).
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <boost/json/object.hpp>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "model/workflow.h"
#include "store/job_store.h"

namespace opsflow::runtime {

struct Stub {
  std::string task_id;
  model::FinishState finish = model::FinishState::kSuccess;
  boost::json::object outgoing;
};

class StubRegistry {
 public:
  explicit StubRegistry(store::DocStore* docs) : docs_(docs) {}
  base::Status Load();
  // Adds (or replaces) stubs for tasks of `workflow`; durable before it returns.
  base::Status Put(const std::string& workflow, const std::vector<Stub>& stubs);
  // Removes every stub of `workflow`. NotFound when it has none.
  base::Status Clear(const std::string& workflow);
  std::optional<Stub> Find(const std::string& workflow, const std::string& task_id) const;
  // The answer for adapter tasks of `workflow` that no stub names (a dry run), if one is set.
  std::optional<Stub> AdapterDefault(const std::string& workflow) const;
  base::Status SetAdapterDefault(const std::string& workflow, std::optional<Stub> stub);
  // Workflow name -> its stubs.
  std::map<std::string, std::vector<Stub>> All() const;

  // Parses `{taskId, variables:{outgoing}}` / `{taskId, outgoing, finish_state}` entries.
  static base::Result<std::vector<Stub>> ParseStubs(const boost::json::array& entries);
  static boost::json::object ToJson(const std::string& workflow, const std::vector<Stub>& stubs,
                                    const std::optional<Stub>& adapter_default = std::nullopt);

 private:
  base::Status Save(const std::string& workflow) REQUIRES(mu_);

  store::DocStore* docs_;
  // Readers (Find, AdapterDefault, All) share it; changes hold it alone while they are saved.
  mutable base::SharedMutex mu_;
  std::map<std::string, std::map<std::string, Stub>> by_workflow_ GUARDED_BY(mu_);
  std::map<std::string, Stub> adapter_default_ GUARDED_BY(mu_);
};

}  // namespace opsflow::runtime
