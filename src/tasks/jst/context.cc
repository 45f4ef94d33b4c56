// The `context` (switch) steps of a JST: parsing of `context` keys and the checks that a
// document's contexts and case ports fit together. The switch runs in runtime.cc.
#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "tasks/jst/plan.h"

namespace opsflow::tasks::jst::internal {

namespace {

constexpr size_t kMaxCase = 1000000;

bool IsNodeLoc(std::string_view loc) {
  return loc == "method" || loc == "declaration" || loc == "template" || loc == "function";
}

// True when `a` is `b` or encloses it.
bool Encloses(const ContextPath& a, const ContextPath& b) {
  return a.size() <= b.size() && std::equal(a.begin(), a.end(), b.begin());
}

class Checker {
 public:
  Checker(std::vector<PlanStep>& steps, const std::unordered_map<std::string, size_t>& index,
          const std::string& jst_name)
      : steps_(steps), index_(index), jst_(jst_name) {}

  base::Status Run(std::vector<std::pair<size_t, size_t>>* edges);

 private:
  base::Status Fail(const PlanStep& s, const std::string& what) const {
    return base::InvalidArgument("JST switch: " + what + " (step " + s.id + " of " + jst_ + ")");
  }
  // The switch step `id`, or nullptr when `id` names no switch.
  const PlanStep* Switch(const std::string& id) const {
    auto it = index_.find(id);
    if (it == index_.end() || steps_[it->second].kind != Kind::kSwitch) return nullptr;
    return &steps_[it->second];
  }
  const PlanStep* Node(const std::string& id) const {
    auto it = index_.find(id);
    return it == index_.end() ? nullptr : &steps_[it->second];
  }
  base::Status CheckPath(const PlanStep& s) const;
  base::Status CheckAssign(PlanStep& s) const;

  std::vector<PlanStep>& steps_;
  const std::unordered_map<std::string, size_t>& index_;
  const std::string& jst_;
};

// Every part of the path names a switch and one of its cases, and each switch sits in the
// context the path gives before it.
base::Status Checker::CheckPath(const PlanStep& s) const {
  for (size_t i = 0; i < s.context.size(); ++i) {
    const CaseRef& c = s.context[i];
    const PlanStep* sw = Switch(c.switch_id);
    if (!sw) {
      return Fail(s, "context \"" + ContextText(s.context) + "\" names step " + c.switch_id +
                         ", which is not a switch step of this JST");
    }
    if (c.case_no > sw->cases->size()) {
      return Fail(s, "context \"" + ContextText(s.context) + "\" names case " +
                         std::to_string(c.case_no) + " of switch " + c.switch_id + ", which has " +
                         std::to_string(sw->cases->size()) + " case(s)");
    }
    ContextPath prefix(s.context.begin(), s.context.begin() + static_cast<std::ptrdiff_t>(i));
    if (sw->context != prefix) {
      return Fail(s, "context \"" + ContextText(s.context) + "\" does not fit switch " +
                         c.switch_id + ", whose context is \"" + ContextText(sw->context) + "\"");
    }
  }
  return base::Status::Ok();
}

base::Status Checker::CheckAssign(PlanStep& s) const {
  // Where the value comes from: a free source (incoming, outgoing), a step, or a case port.
  bool has_source_ctx = false, is_port = false;
  ContextPath source;
  const Ref& f = s.from;
  if (f.location == "context") {
    const PlanStep* sw = Switch(f.name);
    if (!sw) return Fail(s, "reads a case port of step " + f.name + ", which is not a switch");
    size_t n = PortCase(f.ptr);
    if (n == 0) {
      return Fail(s, "reads \"" + f.ptr + "\" of switch " + f.name +
                         "; a switch offers only its case ports /return/case_N");
    }
    if (n > sw->cases->size()) {
      return Fail(s, "reads case port case_" + std::to_string(n) + " of switch " + f.name +
                         ", which has " + std::to_string(sw->cases->size()) + " case(s)");
    }
    source = sw->context;
    source.push_back(CaseRef{f.name, n});
    has_source_ctx = is_port = true;
  } else if (IsNodeLoc(f.location)) {
    if (const PlanStep* n = Node(f.name)) {
      source = n->context;
      has_source_ctx = true;
    }
  }
  if (!s.has_context) {
    s.context = source;
  } else if (has_source_ctx && s.context != source) {
    return Fail(s, "the assign has context \"" + ContextText(s.context) + "\" but reads " +
                       f.location + " " + f.name + " in context \"" + ContextText(source) + "\"");
  }
  const Ref& t = s.to;
  const PlanStep* target = nullptr;
  if (t.location == "context") {
    target = Switch(t.name);
    if (!target) return Fail(s, "writes the input of step " + t.name + ", which is not a switch");
    std::string_view p = t.ptr;
    if (p != "/args/0/value" && p.substr(0, 14) != "/args/0/value/") {
      return Fail(s, "writes \"" + t.ptr + "\" of switch " + t.name +
                         "; a switch takes only its input /args/0/value");
    }
  } else if (IsNodeLoc(t.location)) {
    target = Node(t.name);
  }
  if (t.ptr == "/context" && target && t.location != "context") {
    ContextPath case_ctx = target->context;
    if (!is_port || case_ctx != source) {
      return Fail(s, "the \"/context\" of step " + t.name + " (context \"" +
                         ContextText(case_ctx) + "\") must be fed by a case port of that case");
    }
    return base::Status::Ok();
  }
  if (is_port) {
    return Fail(s, "case port " + f.ptr.substr(8) + " of switch " + f.name +
                       " may only feed the \"/context\" of a step inside that case");
  }
  if (target && !Encloses(s.context, target->context) && !Encloses(target->context, s.context)) {
    return Fail(s, "the assign in context \"" + ContextText(s.context) + "\" writes to step " +
                       t.name + " in the unrelated context \"" + ContextText(target->context) +
                       "\"");
  }
  return base::Status::Ok();
}

base::Status Checker::Run(std::vector<std::pair<size_t, size_t>>* edges) {
  // Steps first: assigns take their contexts from them.
  for (const PlanStep& s : steps_) {
    if (s.kind != Kind::kAssign) OPSFLOW_RETURN_IF_ERROR(CheckPath(s));
  }
  for (PlanStep& s : steps_) {
    if (s.kind != Kind::kAssign) continue;
    if (s.has_context) OPSFLOW_RETURN_IF_ERROR(CheckPath(s));
    OPSFLOW_RETURN_IF_ERROR(CheckAssign(s));
  }
  for (size_t i = 0; i < steps_.size(); ++i) {
    if (steps_[i].context.empty()) continue;
    edges->emplace_back(index_.at(steps_[i].context.back().switch_id), i);
  }
  return base::Status::Ok();
}

}  // namespace

base::Result<ContextPath> ParseContext(std::string_view text) {
  auto bad = [&](const char* why) {
    return base::InvalidArgument("bad context \"" + std::string(text.substr(0, 200)) + "\" (" +
                                 why + "; expected \"#\" or \"#/<switch id>[<case>]...\")");
  };
  if (text.empty() || text[0] != '#') return bad("it does not start with #");
  ContextPath out;
  std::string_view rest = text.substr(1);
  while (!rest.empty()) {
    if (rest[0] != '/') return bad("a part does not start with /");
    size_t open = rest.find('[');
    size_t close = rest.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      return bad("a part has no [case]");
    }
    std::string_view id = rest.substr(1, open - 1);
    if (id.empty() || id.find('/') != std::string_view::npos) return bad("a switch id is empty");
    std::string_view num = rest.substr(open + 1, close - open - 1);
    size_t n = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
    if (num.empty() || ec != std::errc() || p != num.data() + num.size() || n == 0 ||
        n > kMaxCase) {
      return bad("a case number is not a whole number from 1");
    }
    out.push_back(CaseRef{std::string(id), n});
    rest.remove_prefix(close + 1);
  }
  return out;
}

std::string ContextText(const ContextPath& path) {
  std::string out = "#";
  for (const CaseRef& c : path) out += "/" + c.switch_id + "[" + std::to_string(c.case_no) + "]";
  return out;
}

size_t PortCase(std::string_view ptr) {
  constexpr std::string_view kPrefix = "/return/case_";
  if (ptr.substr(0, kPrefix.size()) != kPrefix) return 0;
  std::string_view num = ptr.substr(kPrefix.size());
  size_t n = 0;
  auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), n);
  if (num.empty() || ec != std::errc() || p != num.data() + num.size() || n > kMaxCase) return 0;
  return n;
}

base::Status CheckContexts(std::vector<PlanStep>& steps,
                           const std::unordered_map<std::string, size_t>& node_index,
                           const std::string& jst_name,
                           std::vector<std::pair<size_t, size_t>>* edges) {
  return Checker(steps, node_index, jst_name).Run(edges);
}

}  // namespace opsflow::tasks::jst::internal
