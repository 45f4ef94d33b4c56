#include "model/workflow.h"

#include <openssl/sha.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <functional>

#include "json/fields.h"
#include "model/secrets.h"

namespace opsflow::model {
namespace bj = boost::json;

const char* FinishStateName(FinishState s) {
  switch (s) {
    case FinishState::kNone:
      return "";
    case FinishState::kSuccess:
      return "success";
    case FinishState::kFailure:
      return "failure";
    case FinishState::kError:
      return "error";
    case FinishState::kLoop:
      return "loop";
  }
  return "";
}

bool ParseFinishState(std::string_view s, FinishState* out) {
  if (s == "success")
    *out = FinishState::kSuccess;
  else if (s == "failure")
    *out = FinishState::kFailure;
  else if (s == "error")
    *out = FinishState::kError;
  else if (s == "loop")
    *out = FinishState::kLoop;
  else
    return false;
  return true;
}

bool RetrySettings::Applies(FinishState s) const {
  switch (s) {
    case FinishState::kSuccess:
      return on_success;
    case FinishState::kFailure:
      return on_failure;
    case FinishState::kError:
      return on_error;
    default:
      return false;
  }
}

namespace {

constexpr size_t kMaxTasks = 2000;

int64_t Num(const bj::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) return static_cast<int64_t>(v.get_uint64());
  if (v.is_double()) return static_cast<int64_t>(v.get_double());
  if (v.is_string()) return std::atoll(v.get_string().c_str());
  return 0;
}

RetrySettings ParseRetry(const bj::object& task) {
  RetrySettings r;
  auto it = task.find("retrySettings");
  if (it == task.end() || !it->value().is_object()) return r;
  const bj::object& rs = it->value().get_object();
  if (auto a = rs.find("autoRetry"); a != rs.end() && a->value().is_bool()) {
    r.auto_retry = a->value().get_bool();
  }
  if (auto l = rs.find("limit"); l != rs.end()) r.limit = static_cast<int>(Num(l->value()));
  if (auto d = rs.find("delay"); d != rs.end()) r.delay_ms = Num(d->value());
  if (auto s = rs.find("state"); s != rs.end() && s->value().is_array()) {
    for (const auto& st : s->value().get_array()) {
      if (!st.is_string()) continue;
      if (st.get_string() == "success") r.on_success = true;
      if (st.get_string() == "failure") r.on_failure = true;
      if (st.get_string() == "error") r.on_error = true;
    }
  }
  return r;
}

constexpr const char* kErrorHandlerId = "errorHandler";

TaskDef ParseTask(const std::string& id, const bj::object& t) {
  TaskDef d;
  d.id = id;
  d.method = json::StringField(t, "name");
  d.app = json::StringField(t, "app");
  d.location = json::StringField(t, "location");
  d.type = json::StringField(t, "type");
  d.summary = json::StringField(t, "summary");
  d.is_start = id == "workflow_start";
  d.is_end = id == "workflow_end";
  if (auto v = t.find("variables"); v != t.end() && v->value().is_object()) {
    const bj::object& vars = v->value().get_object();
    if (auto in = vars.find("incoming"); in != vars.end() && in->value().is_object()) {
      d.incoming = in->value().get_object();
    }
    if (auto out = vars.find("outgoing"); out != vars.end() && out->value().is_object()) {
      d.outgoing = out->value().get_object();
    }
  }
  d.retry = ParseRetry(t);
  d.is_for_each = d.method == "forEach";
  d.view = json::StringField(t, "view");
  d.is_manual = d.type == "manual";
  return d;
}

}  // namespace

base::Result<std::shared_ptr<const Workflow>> Workflow::FromJson(bj::object doc) {
  auto w = std::make_shared<Workflow>();
  auto name = doc.find("name");
  if (name == doc.end() || !name->value().is_string() || name->value().get_string().empty()) {
    return base::InvalidArgument("workflow has no 'name' string");
  }
  auto tasks = doc.find("tasks");
  if (tasks == doc.end() || !tasks->value().is_object()) {
    return base::InvalidArgument("workflow '" + std::string(name->value().get_string()) +
                                 "' has no 'tasks' object");
  }
  if (auto tr = doc.find("transitions");
      tr != doc.end() && !tr->value().is_object() && !tr->value().is_null()) {
    return base::InvalidArgument("workflow 'transitions' must be an object");
  }
  if (tasks->value().get_object().size() > kMaxTasks) {
    return base::InvalidArgument("workflow has more than " + std::to_string(kMaxTasks) + " tasks");
  }
  for (const auto& kv : tasks->value().get_object()) {
    if (!kv.value().is_object()) {
      return base::InvalidArgument("workflow task '" + std::string(kv.key()) +
                                   "' must be an object");
    }
  }
  w->name_ = std::string(name->value().get_string());
  w->doc_ = std::move(doc);
  w->Compile();
  return std::shared_ptr<const Workflow>(std::move(w));
}

int Workflow::FindTask(std::string_view id) const {
  for (size_t i = 0; i < tasks_.size(); ++i) {
    if (tasks_[i].id == id) return static_cast<int>(i);
  }
  return -1;
}

void Workflow::Compile() {
  for (const auto& kv : doc_.at("tasks").get_object()) {
    tasks_.push_back(ParseTask(std::string(kv.key()), kv.value().get_object()));
  }
  start_ = FindTask("workflow_start");
  end_ = FindTask("workflow_end");
  encryption_pointers_ = EncryptionPointers(doc_.if_contains("decorators"));
  if (const bj::value* sla = doc_.if_contains("sla"); sla && sla->is_number()) {
    double ms = sla->to_number<double>();
    if (ms > 0 && ms < 1e15) sla_ms_ = static_cast<int64_t>(ms);
  }
  if (auto eh = doc_.find("errorHandler"); eh != doc_.end() && eh->value().is_object() &&
                                           eh->value().get_object().contains("name") &&
                                           FindTask(kErrorHandlerId) < 0) {
    error_handler_ = static_cast<int>(tasks_.size());
    tasks_.push_back(ParseTask(kErrorHandlerId, eh->value().get_object()));
    tasks_.back().is_error_handler = true;
  }
  if (auto e = doc_.find("errors"); e != doc_.end() && e->value().is_array()) {
    is_draft_ = !e->value().get_array().empty();
  }
  if (auto tr = doc_.find("transitions"); tr != doc_.end() && tr->value().is_object()) {
    for (const auto& from : tr->value().get_object()) {
      int f = FindTask(from.key());
      if (f < 0 || !from.value().is_object()) continue;
      for (const auto& to : from.value().get_object()) {
        int t = FindTask(to.key());
        if (t < 0 || !to.value().is_object()) continue;
        const bj::object& e = to.value().get_object();
        Edge edge{f, t, FinishState::kSuccess, json::StringField(e, "type") == "revert"};
        if (!ParseFinishState(json::StringField(e, "state"), &edge.state)) {
          edge.state = FinishState::kSuccess;
        }
        edges_.push_back(edge);
      }
    }
  }
  ClassifyBackEdges();
  for (size_t i = 0; i < edges_.size(); ++i) {
    tasks_[edges_[i].from].out_edges.push_back(static_cast<int>(i));
    if (!edges_[i].revert) tasks_[edges_[i].to].in_edges.push_back(static_cast<int>(i));
  }
  // Transitive closure over forward edges; workflows have tens of tasks.
  size_t n = tasks_.size();
  reach_.assign(n, std::vector<bool>(n, false));
  for (size_t s = 0; s < n; ++s) {
    std::vector<int> stack{static_cast<int>(s)};
    reach_[s][s] = true;
    while (!stack.empty()) {
      int u = stack.back();
      stack.pop_back();
      for (const Edge& e : edges_) {
        if (e.from == u && !e.revert && !reach_[s][e.to]) {
          reach_[s][e.to] = true;
          stack.push_back(e.to);
        }
      }
    }
  }
  FindLoopBodies();
  unsigned char digest[SHA256_DIGEST_LENGTH];
  std::string text = bj::serialize(doc_);
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  static const char* kHex = "0123456789abcdef";
  for (int i = 0; i < 12; ++i) {
    version_.push_back(kHex[digest[i] >> 4]);
    version_.push_back(kHex[digest[i] & 15]);
  }
}

// A standard edge that closes a cycle is a back edge (SPEC §5 rule 3): found by a DFS from
// workflow_start (then from any task not yet visited), marking edges into the DFS stack.
void Workflow::ClassifyBackEdges() {
  size_t n = tasks_.size();
  std::vector<int> color(n, 0);  // 0 new, 1 on stack, 2 done
  std::function<void(int)> dfs = [&](int u) {
    color[u] = 1;
    for (Edge& e : edges_) {
      if (e.from != u || e.revert) continue;
      if (color[e.to] == 1) {
        e.revert = true;
      } else if (color[e.to] == 0) {
        dfs(e.to);
      }
    }
    color[u] = 2;
  };
  if (start_ >= 0) dfs(start_);
  for (size_t i = 0; i < n; ++i) {
    if (color[i] == 0) dfs(static_cast<int>(i));
  }
}

// A forEach's body is every task reachable from the targets of its `loop` edges. A task in
// several bodies (nested loops) belongs to the innermost, the smallest body.
void Workflow::FindLoopBodies() {
  size_t n = tasks_.size();
  loop_bodies_.assign(n, {});
  std::vector<int> owners;
  for (size_t f = 0; f < n; ++f) {
    if (!tasks_[f].is_for_each) continue;
    std::vector<bool> in(n, false);
    for (int e : tasks_[f].out_edges) {
      if (edges_[e].state != FinishState::kLoop) continue;
      for (size_t x = 0; x < n; ++x) {
        if (reach_[edges_[e].to][x] && x != f) in[x] = true;
      }
    }
    for (size_t x = 0; x < n; ++x) {
      if (in[x]) loop_bodies_[f].push_back(static_cast<int>(x));
    }
    owners.push_back(static_cast<int>(f));
  }
  std::sort(owners.begin(), owners.end(),
            [&](int a, int b) { return loop_bodies_[a].size() > loop_bodies_[b].size(); });
  for (int f : owners) {
    for (int x : loop_bodies_[f]) tasks_[x].loop_owner = f;
  }
}

bool Workflow::Reaches(int from, int to) const { return reach_[from][to]; }

}  // namespace opsflow::model
