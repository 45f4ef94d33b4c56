// /adapter-stubs: canned task results per workflow (an opsflow extension, SPEC §7).
#include "api/state.h"
#include "runtime/stubs.h"

namespace opsflow::api {
namespace {

// Body: {workflow, stubTasks:[{taskId, variables:{outgoing}} | {taskId, outgoing,
// finish_state}]} (the corpus fixture format) or one stub {workflow, taskId, outgoing, ...}.
void PutStubs(Api::State& s, Call& c) {
  // A stub changes how every job of its workflow runs, whoever started it.
  if (!RequireAdmin(c, "set adapter stubs")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* wf = body.if_contains("workflow");
  if (!wf || !wf->is_string() || wf->get_string().empty()) {
    ReplyError(c, 400, "'workflow' (the workflow name) is required");
    return;
  }
  bj::array entries;
  if (const bj::value* list = body.if_contains("stubTasks")) {
    if (!list->is_array()) {
      ReplyError(c, 400, "'stubTasks' must be an array");
      return;
    }
    entries = list->get_array();
  } else if (body.contains("taskId")) {
    entries.push_back(body);
  } else if (!body.contains("adapterDefault")) {
    ReplyError(c, 400, "give 'stubTasks' (an array), one stub with 'taskId', or 'adapterDefault'");
    return;
  }
  auto stubs = runtime::StubRegistry::ParseStubs(entries);
  if (!stubs.ok()) {
    ReplyError(c, stubs.status());
    return;
  }
  std::string name(wf->get_string());
  // adapterDefault: how adapter tasks that no stub names finish (a dry run), e.g.
  // {"finish_state":"success","outgoing":{}}; null removes it.
  std::optional<runtime::Stub> adapter_default;
  bool set_default = false;
  if (const bj::value* def = body.if_contains("adapterDefault")) {
    set_default = true;
    if (!def->is_null()) {
      if (!def->is_object()) {
        ReplyError(c, 400,
                   "'adapterDefault' must be an object like {\"finish_state\":\"success\"}");
        return;
      }
      bj::object entry = def->get_object();
      entry["taskId"] = "*";
      auto parsed = runtime::StubRegistry::ParseStubs(bj::array{entry});
      if (!parsed.ok()) {
        ReplyError(c, 400, "adapterDefault: " + parsed.status().message());
        return;
      }
      adapter_default = parsed->front();
    }
  }
  base::Status st = s.deps.runtime->stubs()->Put(name, *stubs);
  if (st.ok() && set_default)
    st = s.deps.runtime->stubs()->SetAdapterDefault(name, adapter_default);
  if (!st.ok()) {
    ReplyError(c, st);
    return;
  }
  ReplyEnvelope(
      c, "Registered " + std::to_string(stubs->size()) + " stub(s) for " + name,
      runtime::StubRegistry::ToJson(name, *stubs, s.deps.runtime->stubs()->AdapterDefault(name)));
}

void ListStubs(Api::State& s, Call& c) {
  bj::array data;
  for (const auto& [wf, stubs] : s.deps.runtime->stubs()->All()) {
    // Others see the stubs of the workflows they may see (a name with no workflow: none).
    if (!c.account->admin && !FindVisibleWorkflow(s, c, wf)) continue;
    data.push_back(
        runtime::StubRegistry::ToJson(wf, stubs, s.deps.runtime->stubs()->AdapterDefault(wf)));
  }
  ReplyEnvelope(c, "Successfully retrieved items", std::move(data));
}

void DeleteStubs(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "clear adapter stubs")) return;
  base::Status st = s.deps.runtime->stubs()->Clear(c.params[0]);
  if (!st.ok()) {
    ReplyError(c, st);
    return;
  }
  ReplyEnvelope(c, "Removed the stubs of " + c.params[0], bj::value(c.params[0]));
}

}  // namespace

std::span<const Route> StubRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/adapter-stubs", PutStubs, true},
      {"GET", "/adapter-stubs", ListStubs, true},
      {"DELETE", "/adapter-stubs/:workflow", DeleteStubs, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
