// Workflow: an imported IAP workflow document plus its compiled task graph.
// The document is kept exactly as given (unknown fields included); the graph is derived.
// Thread-safety: immutable after FromJson; share through shared_ptr<const Workflow>.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace opsflow::model {

enum class FinishState : uint8_t { kNone, kSuccess, kFailure, kError, kLoop };
const char* FinishStateName(FinishState s);  // "" for kNone
bool ParseFinishState(std::string_view s, FinishState* out);

struct Edge {
  int from = 0;
  int to = 0;
  FinishState state = FinishState::kSuccess;
  bool revert = false;  // a `revert` edge, or a standard edge that closes a cycle (back edge)
};

struct RetrySettings {
  bool auto_retry = false;
  int limit = 0;
  int64_t delay_ms = 0;
  bool on_success = false, on_failure = false, on_error = false;
  bool Applies(FinishState s) const;
};

struct TaskDef {
  std::string id;      // the task key, e.g. "a1b2", "workflow_start"
  std::string method;  // `name`, e.g. "query"
  std::string app;
  std::string location;  // "Application" | "Adapter"
  std::string type;      // "automatic" | "operation" | "manual"
  std::string summary;
  std::string view;  // manual tasks: the view a person sees, e.g. "/workflow_engine/task/ViewData"
  bool is_start = false;
  bool is_end = false;
  boost::json::object incoming;
  boost::json::object outgoing;
  RetrySettings retry;
  std::vector<int> out_edges;     // indices into Workflow::edges()
  std::vector<int> in_edges;      // forward (non-revert) edges: the join waits on these
  bool is_for_each = false;       // `forEach`: its `loop` edges run a body once per element
  bool is_manual = false;         // `type: "manual"`: waits for a person
  int loop_owner = -1;            // the innermost forEach whose body holds this task, or -1
  bool is_error_handler = false;  // the workflow's `errorHandler` (outside the graph, no edges)
};

class Workflow {
 public:
  // Compiles an IAP workflow export. InvalidArgument when `doc` has no name or no tasks object.
  // Transitions naming tasks that do not exist are ignored, as IAP does on import.
  static base::Result<std::shared_ptr<const Workflow>> FromJson(boost::json::object doc);

  const std::string& name() const { return name_; }
  const boost::json::object& doc() const { return doc_; }
  const std::vector<TaskDef>& tasks() const { return tasks_; }
  const std::vector<Edge>& edges() const { return edges_; }
  int start() const { return start_; }  // -1 when missing
  int end() const { return end_; }      // -1 when missing
  // The workflow-level `errorHandler` task (id "errorHandler"), or -1 when the document has
  // none (absent or null). It has no edges; the engine runs it when an error is unhandled.
  int error_handler() const { return error_handler_; }
  int FindTask(std::string_view id) const;
  // The workflow's `errors[]` is non-empty: it is a draft and cannot be started.
  bool is_draft() const { return is_draft_; }
  // True when `from` reaches `to` over forward edges (reflexive).
  bool Reaches(int from, int to) const;
  // The tasks of a forEach's body (reachable from its loop edges), empty for other tasks.
  const std::vector<int>& LoopBody(int for_each) const { return loop_bodies_[for_each]; }
  // The JSON pointers of its `encryption` decorators (model/secrets.h), computed once.
  const std::vector<std::string>& encryption_pointers() const { return encryption_pointers_; }
  // The document's `sla` in milliseconds (0: none): a job that takes longer to complete
  // publishes jobSlaBreach.
  int64_t sla_ms() const { return sla_ms_; }
  // A stable hash of the serialized document: jobs refer to the snapshot they ran.
  const std::string& version() const { return version_; }

 private:
  void Compile();
  void ClassifyBackEdges();
  void FindLoopBodies();

  std::string name_;
  boost::json::object doc_;
  std::vector<TaskDef> tasks_;
  std::vector<Edge> edges_;
  std::vector<std::vector<bool>> reach_;
  std::vector<std::vector<int>> loop_bodies_;
  std::vector<std::string> encryption_pointers_;
  int64_t sla_ms_ = 0;
  int start_ = -1;
  int end_ = -1;
  int error_handler_ = -1;
  bool is_draft_ = false;
  std::string version_;
};

}  // namespace opsflow::model
