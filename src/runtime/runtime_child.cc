// childJob (SPEC §5 "Child jobs"): a parent task starts one child job, or one per `data_array`
// element (parallel or sequential), and waits for them. The children are created in the same
// group commit that records the parent task's running iteration, so after a crash either both
// exist or neither does; recovery finds the children again (store::JobStore::ChildJobs) and
// never starts one twice. A child's end reaches its parent once the child's end is durable.
#include "json/fields.h"
#include "json/pointer.h"
#include "json/size.h"
#include "model/groups.h"
#include "model/secrets.h"
#include "model/start_check.h"
#include "runtime/runtime_impl.h"
#include "tasks/jst_apply.h"

namespace opsflow::runtime {
namespace {

using json::StringField;

bool Ended(const std::string& status) { return status == "complete" || status == "canceled"; }

// The child's output variables: filtered by its workflow's outputSchema properties when it has
// any (IAP's job_details), all of them otherwise.
bj::object OutputOf(const model::Workflow* wf, const bj::object& vars) {
  const bj::object* props = nullptr;
  if (wf) {
    if (const bj::value* os = wf->doc().if_contains("outputSchema"); os && os->is_object()) {
      if (const bj::value* p = os->get_object().if_contains("properties"); p && p->is_object()) {
        props = &p->get_object();
      }
    }
  }
  bj::value out = bj::object();
  if (!props || props->empty()) {
    out = vars;
  } else {
    for (const auto& kv : *props) {
      if (const bj::value* v = vars.if_contains(kv.key())) out.get_object()[kv.key()] = *v;
    }
  }
  // The child's secrets reach its parent masked: the parent has no decorator for them, and its
  // task iteration would otherwise store them in clear.
  const std::vector<std::string> none;
  const std::vector<std::string>& pointers = wf ? wf->encryption_pointers() : none;
  if (!pointers.empty()) {
    model::SecretSet secrets = model::CollectSecrets(vars, pointers);
    if (!secrets.empty()) {
      model::ReplaceSecrets(
          &out, "/variables", pointers, secrets,
          [](const bj::value&, const std::string&) { return bj::value(model::kMask); });
    }
  }
  return std::move(out.as_object());
}

// The parent's secrets (SPEC §5 "Decorators") stay secret in the child: each child variable
// holding one (whole, or inside) gets an encryption decorator on the child's snapshot.
std::shared_ptr<const model::Workflow> InheritSecrets(const ActiveJob& parent,
                                                      std::shared_ptr<const model::Workflow> wf,
                                                      const bj::object& vars) {
  const std::vector<std::string>& pointers = parent.wf->encryption_pointers();
  if (pointers.empty()) return wf;
  model::SecretSet secrets = model::CollectSecrets(parent.variables, pointers);
  if (secrets.empty()) return wf;
  bj::array extra;
  for (const auto& kv : vars) {
    bool secret = false;
    for (const bj::value& v : secrets.values) secret = secret || v == kv.value();
    std::string text =
        kv.value().is_string() ? std::string(kv.value().get_string()) : bj::serialize(kv.value());
    for (const std::string& str : secrets.strings) {
      secret =
          secret || (str.size() >= model::kMinSubstring && text.find(str) != std::string::npos);
    }
    if (secret) {
      extra.push_back(bj::object{{"type", "encryption"},
                                 {"pointer", "/variables/" + json::EscapePointerToken(kv.key())}});
    }
  }
  if (extra.empty()) return wf;
  auto with = model::WithDecorators(wf, extra);
  return with.ok() ? *with : wf;
}

}  // namespace

model::Visibility Runtime::Impl::VisibilityOf(const ActiveJob& j) const {
  if (!opts_.task_visibility) return std::nullopt;
  return opts_.task_visibility(j.rec.created_by, j.rec.groups_json);
}

// Reads the child workflow and the per-child variables from the resolved incoming values. A
// workflow the parent job's initiator may not see reads as missing (SPEC §3: no existence leak).
base::Status Runtime::Impl::PrepareChildren(const ActiveJob& j, const TaskDone& d, ChildWait* w) {
  std::string name = StringField(d.incoming, "workflow");
  if (name.empty()) return base::InvalidArgument("childJob: incoming workflow must be a name");
  if (!docs_) return base::Unavailable("childJob: no workflow store");
  auto text = docs_->Get("workflow", name);
  if (!text.ok()) return base::NotFound("childJob: workflow " + name + " not found");
  auto doc = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!doc.ok() || !doc->is_object())
    return base::Internal("childJob: workflow " + name + " is corrupt");
  if (!model::Sees(VisibilityOf(j), model::GroupsOfDoc(doc->get_object()))) {
    return base::NotFound("childJob: workflow " + name + " not found");
  }
  auto wf = model::Workflow::FromJson(std::move(doc->as_object()));
  if (!wf.ok()) return wf.status();
  if ((*wf)->is_draft())
    return base::FailedPrecondition("childJob: workflow " + name + " is a draft");
  w->child_wf = *wf;
  bj::object base;
  if (const bj::value* v = d.incoming.if_contains("variables"); v && v->is_object()) {
    base = v->get_object();
  }
  const bj::value* arr = d.incoming.if_contains("data_array");
  std::string loop_type = StringField(d.incoming, "loopType");
  if (!arr || arr->is_null() || (arr->is_string() && arr->get_string().empty())) {
    OPSFLOW_ASSIGN_OR_RETURN(bj::object vars, ChildVariables(j, d, **wf, std::move(base), nullptr));
    w->inputs.push_back(std::move(vars));
    return base::Status::Ok();
  }
  if (!arr->is_array()) return base::InvalidArgument("childJob: data_array must be an array");
  const bj::array& a = arr->get_array();
  if (a.size() > opts_.max_child_loop) {
    return base::InvalidArgument("childJob: data_array has " + std::to_string(a.size()) +
                                 " elements; at most " + std::to_string(opts_.max_child_loop) +
                                 " child jobs may run in one loop");
  }
  if (!loop_type.empty() && loop_type != "parallel" && loop_type != "sequential") {
    return base::InvalidArgument(
        "childJob: loopType must be \"parallel\" or \"sequential\", not \"" + loop_type + "\"");
  }
  w->loop = true;
  w->sequential = loop_type == "sequential";
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_object()) {
      return base::InvalidArgument("childJob: data_array element " + std::to_string(i) +
                                   " is not an object (each element holds one child's variables)");
    }
    bj::object vars = base;
    for (const auto& kv : a[i].get_object()) vars[kv.key()] = kv.value();
    OPSFLOW_ASSIGN_OR_RETURN(vars, ChildVariables(j, d, **wf, std::move(vars), &a[i]));
    w->inputs.push_back(std::move(vars));
  }
  return base::Status::Ok();
}

// One child's start variables: `vars` (the task's `variables` with the loop element's fields),
// mapped by the task's `transformation` JST when it names one (its input: `vars`, plus
// `currentValue` = the loop element; docs/DECISIONS.md), then checked against the child
// workflow's inputSchema as jobs/start checks them.
base::Result<bj::object> Runtime::Impl::ChildVariables(const ActiveJob& j, const TaskDone& d,
                                                       const model::Workflow& child,
                                                       bj::object vars, const bj::value* element) {
  std::string tr_id = StringField(d.incoming, "transformation");
  if (!tr_id.empty()) {
    auto text = docs_->Get("transformation", tr_id);
    auto jst = text.ok() ? json::Parse(*text) : base::Result<bj::value>(text.status());
    if (!jst.ok() || !jst->is_object() ||
        !model::Sees(VisibilityOf(j), model::GroupsOfDoc(jst->get_object()))) {
      return base::NotFound("childJob: transformation " + tr_id + " not found");
    }
    if (element) vars["currentValue"] = *element;
    OPSFLOW_ASSIGN_OR_RETURN(
        vars, tasks::ApplyJstToInput(jst->get_object(), bj::value(std::move(vars)), tr_id,
                                     clock_->NowMs()));
  }
  if (base::Status st = model::CheckStartable(child, vars); !st.ok()) {
    return base::InvalidArgument("childJob: workflow " + child.name() + ": " + st.message());
  }
  return vars;
}

// The depth and descendant bounds (RuntimeOptions) for `children` new children of job `j`.
base::Status Runtime::Impl::CheckChildLimits(const ActiveJob& j, size_t children) const {
  bj::array ancestors = ParseArray(j.rec.ancestors_json);
  if (ancestors.size() > opts_.max_child_depth) {
    return base::ResourceExhausted(
        "childJob: child jobs may nest at most " + std::to_string(opts_.max_child_depth) +
        " deep below their root job (--max-child-depth); job " + j.rec.id + " is at depth " +
        std::to_string(ancestors.size() - 1));
  }
  std::string root = !ancestors.empty() && ancestors[0].is_string()
                         ? std::string(ancestors[0].get_string())
                         : j.rec.id;
  auto it = descendants_.find(root);
  size_t have = it == descendants_.end() ? 0 : it->second;
  if (have + children > opts_.max_descendants) {
    return base::ResourceExhausted("childJob: root job " + root + " has started " +
                                   std::to_string(have) + " child jobs; " +
                                   std::to_string(children) + " more would pass the limit of " +
                                   std::to_string(opts_.max_descendants) + " (--max-descendants)");
  }
  return base::Status::Ok();
}

void Runtime::Impl::StartChildren(ActiveJob& j, int t, std::shared_ptr<TaskDone> d) {
  ChildWait w;
  base::Status st = PrepareChildren(j, *d, &w);
  if (st.ok()) st = CheckChildLimits(j, w.inputs.size());
  if (!st.ok()) {
    d->result = tasks::Error(st.message());
    Post(std::move(*d));
    return;
  }
  bj::array ancestors = ParseArray(j.rec.ancestors_json);
  if (!ancestors.empty() && ancestors[0].is_string()) {
    descendants_[std::string(ancestors[0].get_string())] += w.inputs.size();
  }
  w.run = d->run;
  w.iteration_id = d->iteration_id;
  w.incoming = d->incoming;
  w.start_ms = d->start_ms;
  size_t n = w.inputs.size();
  w.child_ids.assign(n, "");
  w.status.assign(n, "");
  w.details.assign(n, bj::object());
  current_->wb.iterations.push_back(RunningIteration(j, *d));
  MarkDirty(j);
  ChildWait& ref = j.waits[t] = std::move(w);
  if (n == 0) {
    reconciles_.emplace_back(j.rec.id, t);  // an empty loop ends at once
    return;
  }
  size_t first = ref.sequential ? 1 : n;
  for (size_t e = 0; e < first; ++e) StartChild(j, t, ref, e);
}

void Runtime::Impl::StartChild(ActiveJob& parent, int t, ChildWait& w, size_t e) {
  StartRequest req;
  req.variables = w.inputs[e];
  req.workflow = InheritSecrets(parent, w.child_wf, req.variables);
  req.type = parent.rec.type;
  // The parent's groups, kept as private as the child's workflow (model::PrivateGroups).
  for (const std::string& g : model::PrivateGroups(GroupIds(parent.rec.groups_json),
                                                   model::GroupsOfDoc(w.child_wf->doc()))) {
    req.groups.push_back(bj::value(g));
  }
  req.user = parent.rec.created_by;
  bj::object p{{"job", parent.rec.id},
               {"task", parent.wf->tasks()[t].id},
               {"iteration", w.iteration_id},
               {"element", static_cast<int64_t>(e)}};
  req.parent_json = bj::serialize(p);
  req.parent_ancestors_json = parent.rec.ancestors_json;
  std::string parent_id = parent.rec.id;
  ActiveJob& child = CreateJob(req);
  child.parent = std::make_unique<ActiveJob::ParentLink>(ActiveJob::ParentLink{
      parent_id, parent.wf->tasks()[t].id, w.iteration_id, static_cast<uint32_t>(e)});
  w.child_ids[e] = child.rec.id;
  w.status[e] = "running";
  // Memory: a started child's variables live in the child; the input copy is not needed.
  bj::object().swap(w.inputs[e]);
}

// Called once a child's new state is durable (Handle(Committed)) with the child in memory.
void Runtime::Impl::ChildChanged(const ActiveJob& child) {
  const ActiveJob::ParentLink& link = *child.parent;
  auto pit = jobs_.find(link.job);
  if (pit == jobs_.end()) return;  // the parent is not active; its recovery reads the store
  ActiveJob& parent = *pit->second;
  int t = parent.wf->FindTask(link.task);
  auto wit = parent.waits.find(t);
  if (wit == parent.waits.end() || wit->second.iteration_id != link.iteration) return;
  ChildWait& w = wit->second;
  size_t e = link.element;
  if (e >= w.status.size() || w.child_ids[e] != child.rec.id) return;
  const std::string now = StatusText(child);
  if (w.status[e] == now || Ended(w.status[e])) return;
  w.status[e] = now;
  if (!Ended(now)) return;  // error or paused: the parent keeps waiting (SPEC §5)
  w.ended++;
  if (now == "complete") {
    w.details[e] = OutputOf(child.wf.get(), child.variables);
    // The outputs the parent holds for its children are bounded like one task's value.
    w.details_bytes += json::TextSize(w.details[e], opts_.max_value_bytes);
    if (w.details_bytes > opts_.max_value_bytes) w.details[e] = bj::object();
  }
  AdvanceChildren(parent, t);
}

// Starts the next child of a sequential loop, or ends the wait when every child has ended.
void Runtime::Impl::AdvanceChildren(ActiveJob& j, int t) {
  auto wit = j.waits.find(t);
  if (wit == j.waits.end()) return;
  ChildWait& w = wit->second;
  if (j.state.tasks[t].status != TaskStatus::kRunning || j.state.tasks[t].runs != w.run) {
    j.waits.erase(wit);  // the task was canceled or reset meanwhile
    return;
  }
  size_t n = w.child_ids.size();
  if (w.ended == n) {
    FinishChildWait(j, t);
    return;
  }
  if (j.state.status != JobStatus::kRunning) return;  // a paused parent starts no new child
  for (size_t e = 0; e < n; ++e) {
    if (!w.child_ids[e].empty()) {
      if (w.sequential && !Ended(w.status[e])) return;  // one at a time
      continue;
    }
    if (!w.child_wf || w.inputs.size() != n) {
      // After a restart the wait knows its children but not the workflow and inputs yet.
      ChildWait probe;
      TaskDone d;
      d.incoming = w.incoming;
      if (PrepareChildren(j, d, &probe).ok() && probe.inputs.size() == n) {
        w.child_wf = probe.child_wf;
        w.inputs = std::move(probe.inputs);
      }
      if (!w.child_wf || w.inputs.size() != n) return;  // gone: the wait can still be canceled
    }
    StartChild(j, t, w, e);
    MarkDirty(j);
    if (w.sequential) return;
  }
}

void Runtime::Impl::FinishChildWait(ActiveJob& j, int t) {
  ChildWait w = std::move(j.waits[t]);
  j.waits.erase(t);
  TaskDone d;
  d.job_id = j.rec.id;
  d.task = t;
  d.run = w.run;
  d.iteration_id = w.iteration_id;
  d.incoming = std::move(w.incoming);
  d.start_ms = w.start_ms;
  std::string canceled;
  for (size_t e = 0; e < w.status.size(); ++e) {
    if (w.status[e] == "canceled" && canceled.empty()) canceled = w.child_ids[e];
  }
  bj::object details;
  if (w.loop) {
    bj::array loop;
    for (size_t e = 0; e < w.status.size(); ++e) {
      bj::object entry{{"status", w.status[e]}, {"childJobLoopIndex", static_cast<int64_t>(e)}};
      for (auto& kv : w.details[e]) entry[kv.key()] = std::move(kv.value());
      loop.push_back(std::move(entry));
    }
    details = {{"status", canceled.empty() ? "complete" : "canceled"}, {"loop", std::move(loop)}};
  } else if (!w.details.empty()) {
    details = std::move(w.details[0]);
  }
  if (w.details_bytes > opts_.max_value_bytes) {
    d.result = tasks::Error("childJob: the children's outputs hold more than " +
                            std::to_string(opts_.max_value_bytes) +
                            " bytes; a task may produce at most that (--max-value-bytes)");
  } else if (canceled.empty()) {
    d.result = tasks::Success({{"job_details", std::move(details)}});
  } else {
    // SPEC §5: a canceled child takes the parent's error edge.
    d.result = tasks::Error("child job " + canceled + " was canceled");
    d.result.outgoing = {{"job_details", std::move(details)}};
  }
  Apply(j, d);
}

// Recovery: the children of a childJob iteration still running are read back from the store.
void Runtime::Impl::ReconnectChildren(ActiveJob& j, int t, const model::IterationRecord& it) {
  ChildWait w;
  w.run = static_cast<uint32_t>(it.iteration + 1);
  w.iteration_id = it.id;
  w.incoming = ParseObject(it.incoming_json);
  w.start_ms = it.start_ms;
  const bj::value* arr = w.incoming.if_contains("data_array");
  w.loop = arr && arr->is_array();
  w.sequential = w.loop && StringField(w.incoming, "loopType") == "sequential";
  size_t n = w.loop ? arr->get_array().size() : 1;
  w.child_ids.assign(n, "");
  w.status.assign(n, "");
  w.details.assign(n, bj::object());
  auto children = store_->ChildJobs(j.rec.id);
  if (children.ok()) {
    for (const model::JobRecord& c : *children) {
      bj::object p = ParseObject(c.parent_json);
      if (StringField(p, "iteration") != it.id) continue;
      const bj::value* ev = p.if_contains("element");
      if (!ev || !ev->is_int64() || ev->get_int64() < 0 ||
          static_cast<size_t>(ev->get_int64()) >= n) {
        continue;
      }
      size_t e = static_cast<size_t>(ev->get_int64());
      w.child_ids[e] = c.id;
      w.status[e] = c.status;
      if (Ended(c.status)) w.ended++;
      if (c.status == "complete") {
        std::shared_ptr<const model::Workflow> cwf;
        if (auto v = WorkflowVersion(c.workflow_version); v.ok()) cwf = *v;
        w.details[e] = OutputOf(cwf.get(), ParseObject(c.variables_json));
      }
    }
  }
  j.waits[t] = std::move(w);
  reconciles_.emplace_back(j.rec.id, t);
}

void Runtime::Impl::RunReconciles() {
  std::vector<std::pair<std::string, int>> todo;
  todo.swap(reconciles_);
  for (auto& [id, t] : todo) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) AdvanceChildren(*it->second, t);
  }
}

// pause / resume / cancel of a parent reaches every child that has not ended (and, through
// ApplyControl, their children). A child that cannot make the move (already paused, in error
// for pause) is left as it is.
void Runtime::Impl::PropagateControl(ActiveJob& j, engine::ControlAction action) {
  std::vector<std::string> ids;
  for (const auto& [t, w] : j.waits) {
    for (size_t e = 0; e < w.child_ids.size(); ++e) {
      if (!w.child_ids[e].empty() && !Ended(w.status[e])) ids.push_back(w.child_ids[e]);
    }
  }
  if (action == engine::ControlAction::kCancel) j.waits.clear();
  if (action == engine::ControlAction::kResume) {
    // A sequential loop whose child ended while the parent was paused starts the next one now.
    for (const auto& [t, w] : j.waits) reconciles_.emplace_back(j.rec.id, t);
  }
  for (const std::string& id : ids) {
    base::Status st;
    bool was_loaded = jobs_.count(id) > 0;
    // Only an `error` child is not loaded.
    if (!was_loaded && action != engine::ControlAction::kCancel) continue;
    ActiveJob* c = LoadForControl(id, &st);
    if (!c) continue;
    ControlCmd sub;
    sub.job_id = id;
    sub.action = action;
    st = ApplyControl(*c, sub);
    if (!st.ok() && !was_loaded && !c->dirty) Forget(id);
  }
}

}  // namespace opsflow::runtime
