// The JST interpreter: plans a document's steps in dependency order and runs them.
//
// Each JST (the top document and every nested function) is planned once per run: assign
// steps depend on the step they read from, a call step depends on the assigns that feed its
// arguments, and an assign to a path runs after assigns to its prefixes. Kahn's algorithm
// with document order as the tie-break gives the order; a cycle is an error. A switch
// (`context` step) runs before every step inside its cases; a step whose `context` names a
// case that was not chosen is skipped (context.cc checks that the contexts fit together).
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <map>
#include <memory>
#include <queue>
#include <unordered_map>

#include "json/fields.h"
#include "json/pointer.h"
#include "tasks/jst/jst.h"
#include "tasks/jst/lib.h"
#include "tasks/jst/plan.h"
#include "tasks/jst/validate.h"

namespace opsflow::tasks::jst {

namespace {

using namespace internal;  // NOLINT: the runtime's own internals

struct Plan {
  std::string name;
  std::vector<PlanStep> order;
};

std::string IdText(const bj::value* v) {
  if (!v) return "";
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_int64()) return std::to_string(v->get_int64());
  if (v->is_uint64()) return std::to_string(v->get_uint64());
  if (v->is_double()) return std::to_string(static_cast<int64_t>(v->get_double()));
  return "";
}

base::Result<Ref> ParseRef(const bj::object& step, std::string_view key, const std::string& id) {
  auto it = step.find(key);
  if (it == step.end() || !it->value().is_object()) {
    return base::InvalidArgument("JST assign step " + id + " has no \"" + std::string(key) + "\"");
  }
  const bj::object& r = it->value().get_object();
  Ref ref{json::StringField(r, "location"), IdText(r.if_contains("name")),
          json::StringField(r, "ptr")};
  if (ref.location.empty()) {
    return base::InvalidArgument("JST assign step " + id + " has no " + std::string(key) +
                                 ".location");
  }
  return ref;
}

bool IsNodeLocation(std::string_view loc) {
  return loc == "method" || loc == "declaration" || loc == "template" || loc == "function";
}

// A location that names a step: a node, or a switch ("context").
bool IsStepLocation(std::string_view loc) { return IsNodeLocation(loc) || loc == "context"; }

// Placeholders of a template literal, in order of first appearance.
std::vector<std::string> Placeholders(std::string_view t) {
  std::vector<std::string> out;
  size_t pos = 0;
  while ((pos = t.find("${", pos)) != std::string_view::npos) {
    size_t end = t.find('}', pos + 2);
    if (end == std::string_view::npos) break;
    std::string name(t.substr(pos + 2, end - pos - 2));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    pos = end + 1;
  }
  return out;
}

// True when pointer `a` is a proper prefix of `b` by segments.
bool PtrPrefix(std::string_view a, std::string_view b) {
  return a.size() < b.size() && b.substr(0, a.size()) == a && b[a.size()] == '/';
}

base::Result<PlanStep> PlanOne(const bj::object& step, const std::string& jst_name) {
  PlanStep ps;
  ps.step = &step;
  ps.id = IdText(step.if_contains("id"));
  if (const bj::value* c = step.if_contains("context"); c && !c->is_null()) {
    if (!c->is_string()) {
      return base::InvalidArgument("JST step \"context\" must be a string (step " + ps.id +
                                   " of " + jst_name + ")");
    }
    auto path = ParseContext(c->get_string());
    if (!path.ok()) {
      return base::InvalidArgument(path.status().message() + " (step " + ps.id + " of " +
                                   jst_name + ")");
    }
    ps.context = std::move(path).value();
    ps.has_context = true;
  }
  std::string type = json::StringField(step, "type");
  if (type == "assign") {
    OPSFLOW_ASSIGN_OR_RETURN(ps.from, ParseRef(step, "from", ps.id));
    OPSFLOW_ASSIGN_OR_RETURN(ps.to, ParseRef(step, "to", ps.id));
    return ps;
  }
  if (type == "method" || type == "declaration") {
    ps.kind = type == "method" ? Kind::kMethod : Kind::kDeclaration;
    std::string lib = json::StringField(step, "library"),
                method = json::StringField(step, "method");
    ps.fn = FindMethod(lib, method);
    if (!ps.fn) {
      return base::InvalidArgument("Unknown JST method " + lib + "." + method + " (step " + ps.id +
                                   " of " + jst_name + ")");
    }
    if (const bj::value* p = step.if_contains("polymorphIndex"); p && p->is_int64()) {
      ps.polymorph = static_cast<int>(std::clamp<int64_t>(p->get_int64(), -1, 100));
    }
    return ps;
  }
  if (type == "template") {
    ps.kind = Kind::kTemplate;
    ps.text = json::StringField(step, "template");
    ps.placeholders = Placeholders(ps.text);
    return ps;
  }
  if (type == "function") {
    ps.kind = Kind::kFunction;
    ps.text = IdText(step.if_contains("function"));
    return ps;
  }
  if (type == "context") {
    ps.kind = Kind::kSwitch;
    std::string lib = json::StringField(step, "library"),
                method = json::StringField(step, "method");
    if (method != "switch" || (!lib.empty() && lib != "Conditional")) {
      return base::InvalidArgument("Unknown JST context method " + lib + "." + method +
                                   " (step " + ps.id + " of " + jst_name +
                                   "); only Conditional.switch is known");
    }
    const bj::value* r = step.if_contains("return");
    if (!r || !r->is_array()) {
      return base::InvalidArgument("JST switch has no \"return\" array of case values (step " +
                                   ps.id + " of " + jst_name + ")");
    }
    ps.cases = &r->get_array();
    return ps;
  }
  return base::InvalidArgument("Unknown JST step type \"" + type + "\" (step " + ps.id + " of " +
                               jst_name + ")");
}

base::Result<std::shared_ptr<Plan>> BuildPlan(const bj::object& doc) {
  auto plan = std::make_shared<Plan>();
  plan->name = json::StringField(doc, "name");
  if (plan->name.empty()) plan->name = "JST";
  std::vector<PlanStep> steps;
  if (const bj::value* s = doc.if_contains("steps"); s && !s->is_null()) {
    if (!s->is_array()) return base::InvalidArgument(plan->name + ": steps must be an array");
    for (const bj::value& v : s->get_array()) {
      if (!v.is_object()) return base::InvalidArgument(plan->name + ": a step is not an object");
      OPSFLOW_ASSIGN_OR_RETURN(PlanStep ps, PlanOne(v.get_object(), plan->name));
      steps.push_back(std::move(ps));
    }
  }
  const size_t n = steps.size();
  std::unordered_map<std::string, size_t> node_index;
  for (size_t i = 0; i < n; ++i) {
    if (steps[i].kind != Kind::kAssign && !node_index.emplace(steps[i].id, i).second) {
      return base::InvalidArgument(plan->name + ": duplicate step id " + steps[i].id);
    }
  }
  std::vector<std::vector<size_t>> succ(n);
  std::vector<size_t> indeg(n, 0);
  auto edge = [&](size_t a, size_t b) {
    succ[a].push_back(b);
    ++indeg[b];
  };
  // Assigns grouped by target, for prefix ordering.
  std::map<std::pair<std::string, std::string>, std::vector<size_t>> by_target;
  for (size_t i = 0; i < n; ++i) {
    const PlanStep& s = steps[i];
    if (s.kind != Kind::kAssign) continue;
    for (const Ref* r : {&s.from, &s.to}) {
      if (!IsStepLocation(r->location)) continue;
      auto it = node_index.find(r->name);
      if (it == node_index.end()) {
        return base::InvalidArgument(plan->name + ": assign step " + s.id + " refers to unknown " +
                                     r->location + " step " + r->name);
      }
      if (r == &s.from)
        edge(it->second, i);
      else
        edge(i, it->second);
    }
    by_target[{s.to.location, s.to.name}].push_back(i);
  }
  for (const auto& [target, list] : by_target) {
    for (size_t a : list) {
      for (size_t b : list) {
        if (PtrPrefix(steps[a].to.ptr, steps[b].to.ptr)) edge(a, b);
      }
    }
  }
  std::vector<std::pair<size_t, size_t>> case_edges;
  OPSFLOW_RETURN_IF_ERROR(CheckContexts(steps, node_index, plan->name, &case_edges));
  for (auto [a, b] : case_edges) edge(a, b);
  std::priority_queue<size_t, std::vector<size_t>, std::greater<>> ready;
  for (size_t i = 0; i < n; ++i) {
    if (indeg[i] == 0) ready.push(i);
  }
  while (!ready.empty()) {
    size_t i = ready.top();
    ready.pop();
    plan->order.push_back(steps[i]);
    for (size_t j : succ[i]) {
      if (--indeg[j] == 0) ready.push(j);
    }
  }
  if (plan->order.size() != n) {
    return base::InvalidArgument(plan->name + ": the steps form a cycle");
  }
  return plan;
}

struct Scope {
  const bj::array* functions = nullptr;
  const Scope* parent = nullptr;
};

const bj::object* FindFunction(const Scope* scope, std::string_view name) {
  for (; scope; scope = scope->parent) {
    if (!scope->functions) continue;
    for (const bj::value& f : *scope->functions) {
      if (!f.is_object()) continue;
      const bj::object& o = f.get_object();
      if (IdText(o.if_contains("id")) == name || json::StringField(o, "name") == name) return &o;
    }
  }
  return nullptr;
}

class Runtime {
 public:
  explicit Runtime(const JstOptions& opts) : opts_(opts) {}

  base::Result<bj::object> Exec(const bj::object& doc, const Scope* parent,
                                const bj::object& inputs, size_t depth);
  // Calls the nested JST `fn` by name with incoming values in order.
  // Calls the nested JST `fn` by name with incoming values in order. The result lists the
  // declared outgoing $ids first, in declaration order (null when nothing was assigned).
  base::Result<bj::object> CallNamed(const Scope* scope, std::string_view fn,
                                     const std::vector<const bj::value*>& positional,
                                     const std::vector<bj::value>* extras, size_t depth);
  const JstOptions& opts() const { return opts_; }
  base::Status CheckValue(const bj::value& v, size_t extra_depth);
  // Plans `doc` and every nested function up front, so a malformed step or an unknown
  // method anywhere fails the run before it starts.
  base::Status PlanAll(const bj::object& doc, size_t depth);

 private:
  base::Result<const Plan*> GetPlan(const bj::object& doc);

  const JstOptions& opts_;
  std::unordered_map<const bj::object*, std::shared_ptr<Plan>> plans_;
  size_t steps_ = 0;
  size_t checked_nodes_ = 0;
};

// The Caller a method sees: calls go to nested JSTs in scope, one level deeper.
class FrameCaller : public Caller {
 public:
  FrameCaller(Runtime& rt, const Scope* scope, size_t depth)
      : rt_(rt), scope_(scope), depth_(depth) {}
  base::Result<bj::value> Call(const bj::value& fn, const std::vector<const bj::value*>& positional,
                               const std::vector<bj::value>& extras) override {
    if (!fn.is_string() || fn.get_string().empty()) {
      return base::InvalidArgument("the callback argument must name a nested function, got " +
                                   std::string(JsTypeName(fn)));
    }
    OPSFLOW_ASSIGN_OR_RETURN(
        bj::object out, rt_.CallNamed(scope_, fn.get_string(), positional, &extras, depth_ + 1));
    // The ordered result holds the declared outgoing $ids first.
    if (out.empty()) return bj::value();
    return std::move(out.begin()->value());
  }
  int64_t NowMs() const override { return rt_.opts().now_ms; }
  size_t MaxArrayLength() const override { return rt_.opts().max_array_length; }
  base::Status CheckValue(const bj::value& v, size_t extra_depth) override {
    return rt_.CheckValue(v, extra_depth);
  }

 private:
  Runtime& rt_;
  const Scope* scope_;
  size_t depth_;
};

base::Status Runtime::CheckValue(const bj::value& v, size_t extra_depth) {
  if (!v.is_structured()) {
    return extra_depth > opts_.max_value_depth
               ? base::ResourceExhausted("JST value nesting exceeds the limit of " +
                                         std::to_string(opts_.max_value_depth))
               : base::Status::Ok();
  }
  size_t nodes = 0, depth = 0;
  size_t depth_limit =
      extra_depth > opts_.max_value_depth ? 0 : opts_.max_value_depth - extra_depth;
  Measure(v, opts_.max_value_nodes, depth_limit, &nodes, &depth);
  checked_nodes_ += nodes;
  if (checked_nodes_ > opts_.max_check_nodes) {
    return base::ResourceExhausted("JST run exceeds its work limit of " +
                                   std::to_string(opts_.max_check_nodes) + " checked values");
  }
  if (nodes > opts_.max_value_nodes) {
    return base::ResourceExhausted("JST value exceeds the limit of " +
                                   std::to_string(opts_.max_value_nodes) + " elements");
  }
  if (depth > depth_limit) {
    return base::ResourceExhausted("JST value nesting exceeds the limit of " +
                                   std::to_string(opts_.max_value_depth));
  }
  return base::Status::Ok();
}

base::Status Runtime::PlanAll(const bj::object& doc, size_t depth) {
  if (depth > opts_.max_depth) {
    return base::ResourceExhausted("JST functions nested deeper than " +
                                   std::to_string(opts_.max_depth));
  }
  OPSFLOW_RETURN_IF_ERROR(GetPlan(doc).status());
  if (const bj::value* f = doc.if_contains("functions"); f && !f->is_null()) {
    if (!f->is_array()) return base::InvalidArgument("JST functions must be an array");
    for (const bj::value& fn : f->get_array()) {
      if (!fn.is_object()) return base::InvalidArgument("JST function is not an object");
      OPSFLOW_RETURN_IF_ERROR(PlanAll(fn.get_object(), depth + 1));
    }
  }
  return base::Status::Ok();
}

base::Result<const Plan*> Runtime::GetPlan(const bj::object& doc) {
  auto it = plans_.find(&doc);
  if (it != plans_.end()) return it->second.get();
  OPSFLOW_ASSIGN_OR_RETURN(std::shared_ptr<Plan> plan, BuildPlan(doc));
  const Plan* p = plan.get();
  plans_.emplace(&doc, std::move(plan));
  return p;
}

bj::object BuildThisArg(const bj::object& schema, const std::vector<bj::value>& extras) {
  bj::object out;
  if (const bj::value* props = schema.if_contains("properties"); props && props->is_object()) {
    for (const auto& kv : props->get_object()) {
      std::string_view key = kv.key();
      size_t k = 0;
      auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), k);
      if (ec != std::errc() || p == key.data() || p == key.data() + key.size() || *p != '_') {
        continue;
      }
      out[key] = k < extras.size() ? extras[k] : bj::value();
    }
  }
  return out;
}

// True when an assign step of `plan` reads incoming `id`.
bool ReadsIncoming(const Plan& plan, std::string_view id) {
  for (const PlanStep& ps : plan.order) {
    if (ps.kind == Kind::kAssign && ps.from.location == "incoming" && ps.from.name == id) {
      return true;
    }
  }
  return false;
}

base::Result<bj::object> Runtime::CallNamed(const Scope* scope, std::string_view fn,
                                            const std::vector<const bj::value*>& positional,
                                            const std::vector<bj::value>* extras, size_t depth) {
  const bj::object* fdoc = FindFunction(scope, fn);
  if (!fdoc) return base::InvalidArgument("JST function \"" + std::string(fn) + "\" not found");
  OPSFLOW_ASSIGN_OR_RETURN(const Plan* plan, GetPlan(*fdoc));
  bj::object inputs;
  size_t next = 0;
  if (const bj::value* in = fdoc->if_contains("incoming"); in && in->is_array()) {
    for (const bj::value& s : in->get_array()) {
      if (!s.is_object()) continue;
      const bj::object& so = s.get_object();
      std::string id = IdText(so.if_contains("$id"));
      if (extras && (id == "thisArg" || so.contains("isContext"))) {
        if (ReadsIncoming(*plan, id)) inputs[id] = BuildThisArg(so, *extras);
        continue;
      }
      size_t i = next++;
      if (i < positional.size() && positional[i] && ReadsIncoming(*plan, id)) {
        inputs[id] = *positional[i];
      }
    }
  }
  OPSFLOW_ASSIGN_OR_RETURN(bj::object out, Exec(*fdoc, scope, inputs, depth));
  bj::object ordered;
  if (const bj::value* o = fdoc->if_contains("outgoing"); o && o->is_array()) {
    for (const bj::value& s : o->get_array()) {
      if (!s.is_object()) continue;
      std::string id = IdText(s.get_object().if_contains("$id"));
      bj::value* v = out.if_contains(id);
      ordered[id] = v ? std::move(*v) : bj::value();
    }
  }
  for (auto& kv : out) {
    if (!ordered.contains(kv.key())) ordered[kv.key()] = std::move(kv.value());
  }
  return ordered;
}

// Segments of a JSON pointer ("" is 0, "/a/b" is 2).
size_t Segments(std::string_view ptr) {
  return static_cast<size_t>(std::count(ptr.begin(), ptr.end(), '/'));
}

base::Status WriteAt(bj::value& root, std::string_view ptr, bj::value v) {
  if (ptr.empty()) {
    root = std::move(v);
    return base::Status::Ok();
  }
  if (!root.is_structured()) root = bj::object();
  return opsflow::json::SetPointer(root, ptr, std::move(v));
}

struct Node {
  std::vector<bj::value> args;
  bj::value ret;
};

base::Result<bj::object> Runtime::Exec(const bj::object& doc, const Scope* parent,
                                       const bj::object& inputs, size_t depth) {
  if (depth > opts_.max_depth) {
    return base::ResourceExhausted("JST recursion limit of " + std::to_string(opts_.max_depth) +
                                   " nested calls exceeded");
  }
  OPSFLOW_ASSIGN_OR_RETURN(const Plan* plan, GetPlan(doc));
  Scope scope;
  if (const bj::value* f = doc.if_contains("functions"); f && f->is_array()) {
    scope.functions = &f->get_array();
  }
  scope.parent = parent;
  FrameCaller caller(*this, &scope, depth);
  std::unordered_map<std::string, Node> nodes;
  for (const PlanStep& ps : plan->order) {
    if (ps.kind == Kind::kAssign) continue;
    Node& n = nodes[ps.id];
    if (const bj::value* a = ps.step->if_contains("args"); a && a->is_array()) {
      n.args.assign(a->get_array().begin(), a->get_array().end());
    }
  }
  bj::object out;
  std::unordered_map<std::string, size_t> chosen;  // switch id -> chosen case (0: none)
  auto active = [&](const ContextPath& ctx) {
    for (const CaseRef& c : ctx) {
      auto it = chosen.find(c.switch_id);
      if (it == chosen.end() || it->second != c.case_no) return false;
    }
    return true;
  };
  for (const PlanStep& ps : plan->order) {
    if (!active(ps.context)) continue;  // inside a case that was not chosen
    if (++steps_ > opts_.max_steps) {
      return base::ResourceExhausted("JST step limit of " + std::to_string(opts_.max_steps) +
                                     " steps exceeded");
    }
    auto fail = [&](const base::Status& st) {
      return base::Status(st.code(), st.message() + " (step " + ps.id + " of " + plan->name + ")");
    };
    switch (ps.kind) {
      case Kind::kAssign: {
        const bj::value* src = nullptr;
        const Ref& f = ps.from;
        if (f.location == "incoming" || f.location == "outgoing") {
          const bj::object& obj = f.location == "incoming" ? inputs : out;
          if (const bj::value* root = obj.if_contains(f.name)) {
            src = opsflow::json::FindPointer(*root, f.ptr);
          }
        } else if (f.location == "context") {
          // A case port: only a signal that the case runs; it carries no value.
        } else if (IsNodeLocation(f.location)) {
          std::string_view p = f.ptr;
          if (p.substr(0, 7) == "/return") p.remove_prefix(7);
          src = opsflow::json::FindPointer(nodes[f.name].ret, p);
        } else {
          return fail(base::InvalidArgument("unknown assign location \"" + f.location + "\""));
        }
        const Ref& t = ps.to;
        // "/args/N/value" replaces an argument; deeper pointers nest the value.
        size_t seg = Segments(t.ptr);
        size_t nesting = t.location == "outgoing" ? seg : (seg > 3 ? seg - 3 : 0);
        if (nesting > 0 && src) {
          base::Status st = CheckValue(*src, nesting);
          if (!st.ok()) return fail(st);
        }
        bj::value v = src ? *src : bj::value();
        if (t.location == "outgoing") {
          base::Status st = WriteAt(out[t.name], t.ptr, std::move(v));
          if (!st.ok()) return fail(st);
        } else if (t.ptr == "/context" && IsNodeLocation(t.location)) {
          // A case port reaching a step of its case: the step runs (it is active).
        } else if (IsStepLocation(t.location)) {
          std::string_view p = t.ptr;
          size_t idx = 0;
          if (p.substr(0, 6) != "/args/") {
            return fail(base::InvalidArgument("cannot assign to \"" + t.ptr + "\""));
          }
          p.remove_prefix(6);
          auto [e, ec] = std::from_chars(p.data(), p.data() + p.size(), idx);
          if (ec != std::errc() || idx > 1000) {
            return fail(base::InvalidArgument("bad argument pointer \"" + t.ptr + "\""));
          }
          p.remove_prefix(static_cast<size_t>(e - p.data()));
          if (p.substr(0, 6) == "/value") p.remove_prefix(6);
          Node& n = nodes[t.name];
          if (n.args.size() <= idx) n.args.resize(idx + 1);
          base::Status st = WriteAt(n.args[idx], p, std::move(v));
          if (!st.ok()) return fail(st);
        } else {
          return fail(base::InvalidArgument("cannot assign to location \"" + t.location + "\""));
        }
        break;
      }
      case Kind::kMethod:
      case Kind::kDeclaration: {
        Node& n = nodes[ps.id];
        std::string name =
            json::StringField(*ps.step, "library") + "." + json::StringField(*ps.step, "method");
        Args a{name, n.args, caller, ps.polymorph};
        auto r = ps.fn(a);
        if (!r.ok()) return fail(r.status());
        n.ret = std::move(r).value();
        break;
      }
      case Kind::kTemplate: {
        Node& n = nodes[ps.id];
        const std::string& text = ps.text;
        std::string res;
        size_t pos = 0;
        for (size_t hit; (hit = text.find("${", pos)) != std::string::npos;) {
          size_t end = text.find('}', hit + 2);
          if (end == std::string::npos) break;
          std::string name = text.substr(hit + 2, end - hit - 2);
          size_t i =
              static_cast<size_t>(std::find(ps.placeholders.begin(), ps.placeholders.end(), name) -
                                  ps.placeholders.begin());
          res.append(text, pos, hit - pos);
          res += i < n.args.size() ? ToJsString(n.args[i]) : "undefined";
          pos = end + 1;
        }
        res.append(text, pos);
        n.ret = bj::value(std::move(res));
        break;
      }
      case Kind::kSwitch: {
        // The first case whose value equals the input (===, structures by value) is chosen.
        Node& n = nodes[ps.id];
        static const bj::value kUndefined;
        const bj::value& input = n.args.empty() ? kUndefined : n.args[0];
        size_t pick = 0;
        for (size_t i = 0; i < ps.cases->size() && pick == 0; ++i) {
          if (StrictEquals(input, (*ps.cases)[i])) pick = i + 1;
        }
        chosen[ps.id] = pick;
        bj::object ports;
        if (pick) ports["case_" + std::to_string(pick)] = true;
        n.ret = std::move(ports);
        break;
      }
      case Kind::kFunction: {
        Node& n = nodes[ps.id];
        std::vector<const bj::value*> positional;
        for (const bj::value& a : n.args) positional.push_back(&a);
        auto r = CallNamed(&scope, ps.text, positional, nullptr, depth + 1);
        if (!r.ok()) return fail(r.status());
        n.ret = std::move(r).value();
        break;
      }
    }
  }
  return out;
}

}  // namespace

base::Result<bj::object> RunJst(const bj::object& jst, const bj::object& inputs,
                                const JstOptions& opts) {
  try {
    Runtime rt(opts);
    OPSFLOW_RETURN_IF_ERROR(rt.PlanAll(jst, 0));
    OPSFLOW_ASSIGN_OR_RETURN(bj::object prepared, internal::PrepareInputs(jst, inputs, opts));
    OPSFLOW_ASSIGN_OR_RETURN(bj::object out, rt.Exec(jst, nullptr, prepared, 0));
    return internal::FinishOutputs(jst, std::move(out), opts);
  } catch (const std::exception& e) {
    return base::Internal(std::string("JST runtime error: ") + e.what());
  }
}

}  // namespace opsflow::tasks::jst
