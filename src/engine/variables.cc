#include "engine/variables.h"

#include "json/pointer.h"

namespace opsflow::engine {
namespace bj = boost::json;
namespace {

constexpr std::string_view kPrefix = "$var.";

const bj::value* LookupName(const bj::object& obj, std::string_view name) {
  if (auto it = obj.find(name); it != obj.end()) return &it->value();
  // "a.b" that is not a variable name of its own reads a nested field.
  if (name.find('.') == std::string_view::npos) return nullptr;
  size_t dot = name.find('.');
  auto it = obj.find(name.substr(0, dot));
  if (it == obj.end()) return nullptr;
  return json::FindPath(it->value(), name.substr(dot + 1));
}

bool IsRefObject(const bj::value& v) {
  const bj::object* o = v.if_object();
  if (!o || !o->contains("task")) return false;
  return o->contains("variable") || o->contains("value");
}

void ResolveStructuredInPlace(bj::value& v, const VarScope& scope) {
  if (IsRefObject(v)) v = ResolveStructured(v.get_object(), scope);
}

void ResolveEvaluation(bj::object& in, const VarScope& scope) {
  auto groups = in.find("evaluation_groups");
  if (groups == in.end() || !groups->value().is_array()) return;
  for (bj::value& g : groups->value().get_array()) {
    bj::object* go = g.if_object();
    if (!go) continue;
    auto evs = go->find("evaluations");
    if (evs == go->end() || !evs->value().is_array()) continue;
    for (bj::value& ev : evs->value().get_array()) {
      bj::object* eo = ev.if_object();
      if (!eo) continue;
      for (const char* k : {"operand_1", "operand_2"}) {
        if (auto it = eo->find(k); it != eo->end()) {
          bj::value resolved;
          if (it->value().is_string() &&
              ResolveVarString(it->value().get_string(), scope, &resolved)) {
            it->value() = std::move(resolved);
          } else {
            ResolveStructuredInPlace(it->value(), scope);
          }
        }
      }
    }
  }
}

void ResolveMerge(bj::object& in, const VarScope& scope) {
  auto items = in.find("data_to_merge");
  if (items == in.end() || !items->value().is_array()) return;
  for (bj::value& item : items->value().get_array()) {
    if (IsRefObject(item)) {
      ResolveStructuredInPlace(item, scope);
      continue;
    }
    if (bj::object* o = item.if_object()) {
      if (auto v = o->find("value"); v != o->end()) ResolveStructuredInPlace(v->value(), scope);
    }
  }
}

void ResolveMapValues(bj::object& in, std::string_view key, const VarScope& scope,
                      bool structured) {
  auto it = in.find(key);
  if (it == in.end() || !it->value().is_object()) return;
  for (auto& kv : it->value().get_object()) {
    bj::value resolved;
    if (kv.value().is_string() && ResolveVarString(kv.value().get_string(), scope, &resolved)) {
      kv.value() = std::move(resolved);
    } else if (structured) {
      ResolveStructuredInPlace(kv.value(), scope);
    }
  }
}

}  // namespace

bool ResolveVarString(std::string_view text, const VarScope& scope, bj::value* out) {
  if (text.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = text.substr(kPrefix.size());
  std::string_view pointer;
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) {
    pointer = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  size_t dot = rest.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 == rest.size()) return false;
  std::string_view owner = rest.substr(0, dot);
  std::string_view name = rest.substr(dot + 1);
  const bj::value* found = nullptr;
  if (owner == "job") {
    found = LookupName(scope.job_variables, name);
  } else if (const bj::object* outs = scope.outputs ? scope.outputs(owner) : nullptr) {
    found = LookupName(*outs, name);
  }
  if (found && !pointer.empty()) found = json::FindPointer(*found, pointer);
  *out = found ? *found : bj::value();
  return true;
}

bj::value ResolveStructured(const bj::object& ref, const VarScope& scope) {
  const bj::value* task = ref.if_contains("task");
  const bj::value* var = ref.if_contains("variable");
  if (!var) var = ref.if_contains("value");
  if (!task || !task->is_string() || !var) return bj::value();
  std::string_view t = task->get_string();
  if (t == "static" || t.empty()) return *var;
  if (!var->is_string()) return bj::value();
  std::string_view name = var->get_string();
  const bj::value* found = nullptr;
  if (t == "job") {
    found = LookupName(scope.job_variables, name);
  } else if (const bj::object* outs = scope.outputs ? scope.outputs(t) : nullptr) {
    found = LookupName(*outs, name);
  }
  return found ? *found : bj::value();
}

bj::object ResolveIncoming(const model::TaskDef& def, const VarScope& scope) {
  bj::object in = def.incoming;
  for (auto& kv : in) {
    bj::value resolved;
    if (kv.value().is_string() && ResolveVarString(kv.value().get_string(), scope, &resolved)) {
      kv.value() = std::move(resolved);
    }
  }
  if (def.method == "evaluation") ResolveEvaluation(in, scope);
  if (def.method == "merge" || def.method == "deepmerge") ResolveMerge(in, scope);
  if (def.method == "childJob") ResolveMapValues(in, "variables", scope, true);
  if (def.method == "transformation") ResolveMapValues(in, "variableMap", scope, false);
  // The other exceptions IAP-REFERENCE §3 names: these maps' values resolve too.
  if (def.app == "GatewayManager" &&
      (def.method == "runService" || def.method == "runServiceStatic")) {
    ResolveMapValues(in, "params", scope, false);
  }
  if (def.method == "runCode") ResolveMapValues(in, "data", scope, false);
  if (def.app == "AgentSessionManager" && def.method == "runAgent") {
    ResolveMapValues(in, "inputs", scope, false);
  }
  return in;
}

void ApplyOutgoing(const model::TaskDef& def, const bj::object& outputs,
                   bj::object* job_variables) {
  for (const auto& kv : def.outgoing) {
    if (!kv.value().is_string()) continue;
    std::string_view target = kv.value().get_string();
    constexpr std::string_view kJob = "$var.job.";
    if (target.substr(0, kJob.size()) != kJob || target.size() == kJob.size()) continue;
    auto out = outputs.find(kv.key());
    (*job_variables)[target.substr(kJob.size())] =
        out == outputs.end() ? bj::value() : out->value();
  }
}

}  // namespace opsflow::engine
