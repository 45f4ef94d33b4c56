#include "tasks/query/json_query.h"

#include <boost/json.hpp>
#include <cctype>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "tasks/task_util.h"

namespace opsflow::tasks {

namespace {

namespace json = boost::json;
using base::Result;
using base::Status;

constexpr size_t kMaxQueryBytes = 4096;
constexpr int kMaxNesting = 16;
constexpr size_t kMaxDeepValues = 1'000'000;
constexpr size_t kMaxDeepDepth = 512;

struct Query;
struct Cond;

enum class StepKind { kKey, kIndex, kAll, kDeep, kFilter, kInner, kHelper };

struct Step {
  StepKind kind = StepKind::kKey;
  std::string key;   // kKey; helper name for kHelper
  size_t index = 0;  // kIndex
  bool all = false;  // kFilter: every match instead of the first
  std::shared_ptr<Cond> cond;
  std::shared_ptr<Query> inner;
  std::vector<std::string> args;  // kHelper
};

using Path = std::vector<Step>;

struct Query {
  std::vector<Path> alternatives;
};

enum class Op { kEq, kNe, kGt, kLt, kGe, kLe };

struct Clause {
  Path left;
  Op op = Op::kEq;
  std::shared_ptr<Query> inner;  // right side is {inner query}
  std::string literal;
  bool quoted = false;
};

struct Cond {
  std::vector<std::vector<Clause>> any_of;  // OR of ANDs
};

Status Bad(std::string_view query_part, std::string_view why) {
  return base::InvalidArgument("invalid json-query \"" + std::string(query_part) +
                               "\": " + std::string(why));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsQuoted(std::string_view s) {
  return s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front();
}

bool AllDigits(std::string_view s) {
  if (s.empty() || s.size() > 18) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// True when the quote at `i` opens a quoted token: it follows the start of the text, an
// opening bracket, an operator or a separator (so "O'Brien" keeps its apostrophe).
bool QuoteOpens(std::string_view s, size_t i) {
  if (s[i] != '"' && s[i] != '\'') return false;
  size_t j = i;
  while (j > 0 && std::isspace(static_cast<unsigned char>(s[j - 1]))) --j;
  if (j == 0) return true;
  char p = s[j - 1];
  return p == '[' || p == '(' || p == '=' || p == '!' || p == '<' || p == '>' || p == '&' ||
         p == '|' || p == ',';
}

// Index of the bracket closing the one at `open` (which holds '[', '{' or '('), skipping
// quoted text and nested brackets; npos when unbalanced.
size_t FindClose(std::string_view s, size_t open) {
  std::vector<char> stack;
  char quote = 0;
  for (size_t i = open; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (QuoteOpens(s, i)) {
      quote = c;
      continue;
    }
    if (c == '[')
      stack.push_back(']');
    else if (c == '{')
      stack.push_back('}');
    else if (c == '(')
      stack.push_back(')');
    else if (c == ']' || c == '}' || c == ')') {
      if (stack.empty() || stack.back() != c) return std::string_view::npos;
      stack.pop_back();
      if (stack.empty()) return i;
    }
  }
  return std::string_view::npos;
}

// Splits on `sep` outside brackets and quotes. Fails on unbalanced brackets.
Result<std::vector<std::string_view>> SplitTop(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      continue;
    }
    if (QuoteOpens(s, i)) {
      quote = c;
    } else if (c == '[' || c == '{' || c == '(') {
      size_t close = FindClose(s, i);
      if (close == std::string_view::npos) return Bad(s, "unbalanced brackets");
      i = close;
    } else if (c == ']' || c == '}' || c == ')') {
      return Bad(s, "unbalanced brackets");
    } else if (c == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(s.substr(start));
  return parts;
}

class Parser {
 public:
  Result<std::shared_ptr<Query>> ParseQuery(std::string_view text, int depth);

 private:
  Result<Path> ParsePath(std::string_view text, int depth);
  Result<Step> ParseBracket(std::string_view content, int depth);
  Result<Step> ParseHelper(std::string_view text, size_t& pos);
  Result<std::shared_ptr<Cond>> ParseCond(std::string_view text, int depth);
  Result<Clause> ParseClause(std::string_view text, int depth);
};

Result<std::shared_ptr<Query>> Parser::ParseQuery(std::string_view text, int depth) {
  if (depth > kMaxNesting) return Bad(text, "nested too deeply");
  OPSFLOW_ASSIGN_OR_RETURN(auto parts, SplitTop(text, '|'));
  auto q = std::make_shared<Query>();
  for (std::string_view part : parts) {
    part = Trim(part);
    if (part.empty() && parts.size() > 1) return Bad(text, "empty alternative around '|'");
    OPSFLOW_ASSIGN_OR_RETURN(Path p, ParsePath(part, depth));
    q->alternatives.push_back(std::move(p));
  }
  return q;
}

bool IsNameStop(char c) {
  return c == '.' || c == '[' || c == ']' || c == ':' || c == '{' || c == '}' || c == '|' ||
         c == '(' || c == ')';
}

Result<Path> Parser::ParsePath(std::string_view text, int depth) {
  if (depth > kMaxNesting) return Bad(text, "nested too deeply");
  Path path;
  size_t pos = 0;
  if (!text.empty() && text[0] == '.') pos = 1;  // ".a" is relative to the object itself
  bool need_separator = false;
  while (pos < text.size()) {
    char c = text[pos];
    if (c == '[') {
      size_t close = FindClose(text, pos);
      if (close == std::string_view::npos) return Bad(text, "unbalanced '['");
      OPSFLOW_ASSIGN_OR_RETURN(Step s, ParseBracket(text.substr(pos + 1, close - pos - 1), depth));
      path.push_back(std::move(s));
      pos = close + 1;
      need_separator = true;
      continue;
    }
    if (c == ':') {
      OPSFLOW_ASSIGN_OR_RETURN(Step s, ParseHelper(text, pos));
      path.push_back(std::move(s));
      need_separator = true;
      continue;
    }
    if (c == '.') {
      ++pos;
      if (pos >= text.size() || IsNameStop(text[pos])) return Bad(text, "empty key after '.'");
    } else if (need_separator || IsNameStop(c)) {
      return Bad(text, std::string("unexpected '") + c + "'");
    }
    size_t start = pos;
    while (pos < text.size() && !IsNameStop(text[pos])) ++pos;
    std::string_view name = Trim(text.substr(start, pos - start));
    if (name.empty()) return Bad(text, "empty key");
    Step s;
    s.kind = StepKind::kKey;
    s.key = std::string(name);
    path.push_back(std::move(s));
    need_separator = true;
  }
  return path;
}

Result<Step> Parser::ParseHelper(std::string_view text, size_t& pos) {
  size_t start = ++pos;
  while (pos < text.size() &&
         (std::isalnum(static_cast<unsigned char>(text[pos])) || text[pos] == '_')) {
    ++pos;
  }
  Step s;
  s.kind = StepKind::kHelper;
  s.key = std::string(text.substr(start, pos - start));
  if (s.key.empty()) return Bad(text, "empty helper name after ':'");
  if (pos < text.size() && text[pos] == '(') {
    size_t close = FindClose(text, pos);
    if (close == std::string_view::npos) return Bad(text, "unbalanced '('");
    std::string_view inside = Trim(text.substr(pos + 1, close - pos - 1));
    if (!inside.empty()) {
      OPSFLOW_ASSIGN_OR_RETURN(auto args, SplitTop(inside, ','));
      for (std::string_view a : args) {
        a = Trim(a);
        if (IsQuoted(a)) a = a.substr(1, a.size() - 2);
        s.args.emplace_back(a);
      }
    }
    pos = close + 1;
  }
  struct Known {
    const char* name;
    size_t args;
  };
  static constexpr Known kKnown[] = {{"get", 1},    {"keys", 0},  {"values", 0},
                                     {"length", 0}, {"first", 0}, {"last", 0}};
  for (const Known& k : kKnown) {
    if (s.key == k.name) {
      if (s.args.size() != k.args) {
        return Bad(text, "helper :" + s.key + " takes " + std::to_string(k.args) + " argument(s)");
      }
      return s;
    }
  }
  return Bad(text, "unknown helper :" + s.key +
                       " (supported: get(key), keys, values, length, first, last)");
}

Result<Step> Parser::ParseBracket(std::string_view content, int depth) {
  if (depth + 1 > kMaxNesting) return Bad(content, "nested too deeply");
  std::string_view c = Trim(content);
  Step s;
  if (c.empty()) return Bad(content, "empty []");
  if (c == "*") {
    s.kind = StepKind::kAll;
    return s;
  }
  if (c == "**") {
    s.kind = StepKind::kDeep;
    return s;
  }
  if (c.front() == '{' && FindClose(c, 0) == c.size() - 1) {
    s.kind = StepKind::kInner;
    OPSFLOW_ASSIGN_OR_RETURN(s.inner, ParseQuery(Trim(c.substr(1, c.size() - 2)), depth + 1));
    return s;
  }
  if (IsQuoted(c)) {
    s.kind = StepKind::kKey;
    s.key = std::string(c.substr(1, c.size() - 2));
    return s;
  }
  if (AllDigits(c)) {
    s.kind = StepKind::kIndex;
    s.index = std::stoull(std::string(c));
    return s;
  }
  bool all = c.front() == '*';
  std::string_view body = all ? Trim(c.substr(1)) : c;
  bool has_op = false;
  for (char ch : body) {
    if (ch == '=' || ch == '<' || ch == '>' || ch == '!' || ch == '~' || ch == '&' || ch == '|' ||
        ch == ':') {
      has_op = true;
    }
  }
  if (!has_op) {
    if (all) return Bad(content, "a [*...] filter needs a comparison such as [*key=value]");
    s.kind = StepKind::kKey;
    s.key = std::string(body);
    return s;
  }
  s.kind = StepKind::kFilter;
  s.all = all;
  OPSFLOW_ASSIGN_OR_RETURN(s.cond, ParseCond(body, depth + 1));
  return s;
}

Result<std::shared_ptr<Cond>> Parser::ParseCond(std::string_view text, int depth) {
  auto cond = std::make_shared<Cond>();
  OPSFLOW_ASSIGN_OR_RETURN(auto ors, SplitTop(text, '|'));
  for (std::string_view alt : ors) {
    OPSFLOW_ASSIGN_OR_RETURN(auto ands, SplitTop(alt, '&'));
    std::vector<Clause> clauses;
    for (std::string_view part : ands) {
      OPSFLOW_ASSIGN_OR_RETURN(Clause cl, ParseClause(Trim(part), depth));
      clauses.push_back(std::move(cl));
    }
    cond->any_of.push_back(std::move(clauses));
  }
  return cond;
}

Result<Clause> Parser::ParseClause(std::string_view text, int depth) {
  if (text.empty()) return Bad(text, "empty filter clause");
  if (text.front() == ':') return Bad(text, "helpers inside filters are not supported");
  size_t i = 0;
  Clause cl;
  size_t op_len = 0;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '[' || c == '{' || c == '(') {
      size_t close = FindClose(text, i);
      if (close == std::string_view::npos) return Bad(text, "unbalanced brackets");
      i = close;
      continue;
    }
    char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '~' || (c == '!' && next == '~')) {
      return Bad(text, "regular expression filters (~) are not enabled");
    }
    if (c == '!' && next == '=') {
      cl.op = Op::kNe;
      op_len = 2;
      break;
    }
    if (c == '>' && next == '=') {
      cl.op = Op::kGe;
      op_len = 2;
      break;
    }
    if (c == '<' && next == '=') {
      cl.op = Op::kLe;
      op_len = 2;
      break;
    }
    if (c == '=') {
      cl.op = Op::kEq;
      op_len = 1;
      break;
    }
    if (c == '>') {
      cl.op = Op::kGt;
      op_len = 1;
      break;
    }
    if (c == '<') {
      cl.op = Op::kLt;
      op_len = 1;
      break;
    }
  }
  if (op_len == 0) return Bad(text, "filter needs a comparison operator (= != < <= > >=)");
  std::string_view left = Trim(text.substr(0, i));
  std::string_view right = Trim(text.substr(i + op_len));
  if (!left.empty()) {
    OPSFLOW_ASSIGN_OR_RETURN(cl.left, ParsePath(left, depth));
  }
  if (!right.empty() && right.front() == '{' && FindClose(right, 0) == right.size() - 1) {
    OPSFLOW_ASSIGN_OR_RETURN(cl.inner,
                             ParseQuery(Trim(right.substr(1, right.size() - 2)), depth + 1));
  } else if (IsQuoted(right)) {
    cl.literal = std::string(right.substr(1, right.size() - 2));
    cl.quoted = true;
  } else {
    cl.literal = std::string(right);
  }
  return cl;
}

// ---- evaluation ----
//
// Values are handled by pointer: a step that selects (a key, an index) points into its input;
// a step that builds (pluck, [*], [**], filters) stores its result in the arena, which lives as
// long as the evaluation. Only the final result is copied out.

const json::value kNullValue;

class Evaluator {
 public:
  explicit Evaluator(const json::value& root) : root_(root) {}
  Result<const json::value*> EvalQuery(const Query& q, const json::value& cur);

 private:
  using Ptr = const json::value*;
  Result<Ptr> EvalPath(const Path& p, const json::value& cur);
  Result<Ptr> ApplyStep(const Step& s, const json::value& cur);
  Result<Ptr> Filter(const Step& s, const json::value& cur);
  Result<bool> ClauseMatches(const Clause& cl, const json::value* rhs, const json::value& item);
  Ptr GetKey(const json::value& cur, const std::string& key);
  Ptr GetIndex(const json::value& cur, size_t index);
  Ptr AllValues(const json::value& cur);
  Result<Ptr> Descendants(const json::value& cur);
  Ptr Keep(json::value v) {
    arena_.push_back(std::move(v));
    return &arena_.back();
  }

  const json::value& root_;
  std::deque<json::value> arena_;
};

Evaluator::Ptr Evaluator::GetKey(const json::value& cur, const std::string& key) {
  if (cur.is_object()) {
    const json::value* v = internal::Find(cur.get_object(), key);
    return v ? v : &kNullValue;
  }
  if (cur.is_array()) {
    const json::array& arr = cur.get_array();
    if (AllDigits(key)) {
      size_t i = std::stoull(key);
      return i < arr.size() ? &arr[i] : &kNullValue;
    }
    json::array out;  // pluck
    for (const json::value& el : arr) {
      if (!el.is_object()) continue;
      const json::value* v = internal::Find(el.get_object(), key);
      if (v) out.push_back(*v);
    }
    return Keep(std::move(out));
  }
  return &kNullValue;
}

Evaluator::Ptr Evaluator::GetIndex(const json::value& cur, size_t index) {
  if (cur.is_array()) {
    const json::array& arr = cur.get_array();
    return index < arr.size() ? &arr[index] : &kNullValue;
  }
  if (cur.is_object()) return GetKey(cur, std::to_string(index));
  return &kNullValue;
}

Evaluator::Ptr Evaluator::AllValues(const json::value& cur) {
  if (cur.is_array()) return &cur;
  if (!cur.is_object()) return &kNullValue;
  json::array out;
  for (const auto& kv : cur.get_object()) out.push_back(kv.value());
  return Keep(std::move(out));
}

void PushChildrenReversed(const json::value& v, size_t depth,
                          std::vector<std::pair<const json::value*, size_t>>& stack) {
  std::vector<const json::value*> kids;
  if (v.is_array()) {
    for (const json::value& el : v.get_array()) kids.push_back(&el);
  } else if (v.is_object()) {
    for (const auto& kv : v.get_object()) kids.push_back(&kv.value());
  }
  for (auto it = kids.rbegin(); it != kids.rend(); ++it) stack.emplace_back(*it, depth);
}

Result<Evaluator::Ptr> Evaluator::Descendants(const json::value& cur) {
  if (!cur.is_array() && !cur.is_object()) return &kNullValue;
  json::array out;
  std::vector<std::pair<const json::value*, size_t>> stack;
  PushChildrenReversed(cur, 1, stack);
  while (!stack.empty()) {
    auto [v, depth] = stack.back();
    stack.pop_back();
    if (depth > kMaxDeepDepth) {
      return base::ResourceExhausted("json-query: [**] reached a value nested deeper than " +
                                     std::to_string(kMaxDeepDepth) + " levels");
    }
    if (out.size() >= kMaxDeepValues) {
      return base::ResourceExhausted("json-query: [**] would return more than " +
                                     std::to_string(kMaxDeepValues) + " values");
    }
    out.push_back(*v);
    PushChildrenReversed(*v, depth + 1, stack);
  }
  return Keep(std::move(out));
}

Result<const json::value*> Evaluator::EvalQuery(const Query& q, const json::value& cur) {
  Ptr last = &kNullValue;
  for (const Path& p : q.alternatives) {
    OPSFLOW_ASSIGN_OR_RETURN(last, EvalPath(p, cur));
    if (!last->is_null()) return last;
  }
  return last;
}

Result<Evaluator::Ptr> Evaluator::EvalPath(const Path& p, const json::value& cur) {
  Ptr v = &cur;
  for (const Step& s : p) {
    if (v->is_null()) return v;
    OPSFLOW_ASSIGN_OR_RETURN(v, ApplyStep(s, *v));
  }
  return v;
}

Result<Evaluator::Ptr> Evaluator::ApplyStep(const Step& s, const json::value& cur) {
  switch (s.kind) {
    case StepKind::kKey:
      return GetKey(cur, s.key);
    case StepKind::kIndex:
      return GetIndex(cur, s.index);
    case StepKind::kAll:
      return AllValues(cur);
    case StepKind::kDeep:
      return Descendants(cur);
    case StepKind::kFilter:
      return Filter(s, cur);
    case StepKind::kInner: {
      OPSFLOW_ASSIGN_OR_RETURN(Ptr key, EvalQuery(*s.inner, root_));
      if (key->is_string()) return GetKey(cur, std::string(key->get_string()));
      auto index = internal::AsInteger(*key);
      if (key->is_number() && index && *index >= 0) {
        return GetIndex(cur, static_cast<size_t>(*index));
      }
      return &kNullValue;
    }
    case StepKind::kHelper: {
      if (s.key == "get") return GetKey(cur, s.args[0]);
      if (s.key == "values") return AllValues(cur);
      if (s.key == "keys") {
        if (!cur.is_object()) return &kNullValue;
        json::array out;
        for (const auto& kv : cur.get_object()) out.emplace_back(kv.key());
        return Keep(std::move(out));
      }
      if (s.key == "length") {
        if (cur.is_array()) return Keep(static_cast<int64_t>(cur.get_array().size()));
        if (cur.is_object()) return Keep(static_cast<int64_t>(cur.get_object().size()));
        if (cur.is_string()) {
          return Keep(static_cast<int64_t>(internal::CodePointCount(cur.get_string())));
        }
        return &kNullValue;
      }
      if (!cur.is_array() || cur.get_array().empty()) return &kNullValue;
      return s.key == "first" ? &cur.get_array().front() : &cur.get_array().back();
    }
  }
  return &kNullValue;
}

Result<Evaluator::Ptr> Evaluator::Filter(const Step& s, const json::value& cur) {
  std::vector<const json::value*> candidates;
  if (cur.is_array()) {
    for (const json::value& el : cur.get_array()) candidates.push_back(&el);
  } else if (cur.is_object()) {
    for (const auto& kv : cur.get_object()) candidates.push_back(&kv.value());
  } else {
    return &kNullValue;
  }
  // Inner queries on the right do not depend on the element: evaluate each once.
  std::vector<std::vector<Ptr>> rhs(s.cond->any_of.size());
  for (size_t i = 0; i < s.cond->any_of.size(); ++i) {
    for (const Clause& cl : s.cond->any_of[i]) {
      Ptr r = nullptr;
      if (cl.inner) {
        OPSFLOW_ASSIGN_OR_RETURN(r, EvalQuery(*cl.inner, root_));
      }
      rhs[i].push_back(r);
    }
  }
  json::array matches;
  for (const json::value* item : candidates) {
    bool any = false;
    for (size_t i = 0; i < s.cond->any_of.size() && !any; ++i) {
      bool all = true;
      for (size_t j = 0; j < s.cond->any_of[i].size() && all; ++j) {
        OPSFLOW_ASSIGN_OR_RETURN(all, ClauseMatches(s.cond->any_of[i][j], rhs[i][j], *item));
      }
      any = all;
    }
    if (!any) continue;
    if (!s.all) return item;
    matches.push_back(*item);
  }
  if (!s.all) return &kNullValue;
  return Keep(std::move(matches));
}

bool LiteralEqual(const json::value& actual, const std::string& lit, bool quoted) {
  if (actual.is_string()) return actual.get_string() == lit;
  if (quoted) return false;
  if (actual.is_number()) {
    auto n = internal::ParseNumber(lit);
    return n && *n == *internal::AsNumber(actual);
  }
  if (actual.is_bool()) return lit == (actual.get_bool() ? "true" : "false");
  if (actual.is_null()) return lit == "null";
  return false;
}

Result<bool> Evaluator::ClauseMatches(const Clause& cl, const json::value* rhs,
                                      const json::value& item) {
  OPSFLOW_ASSIGN_OR_RETURN(Ptr actual_ptr, EvalPath(cl.left, item));
  const json::value& actual = *actual_ptr;
  if (cl.op == Op::kEq || cl.op == Op::kNe) {
    bool eq =
        rhs ? internal::LooseEqual(actual, *rhs) : LiteralEqual(actual, cl.literal, cl.quoted);
    return cl.op == Op::kEq ? eq : !eq;
  }
  json::value literal_value;
  if (!rhs) literal_value = json::value(cl.literal);
  const json::value& right = rhs ? *rhs : literal_value;
  std::optional<double> a, b;
  if (actual.is_number() || actual.is_string()) a = internal::AsNumber(actual);
  if (right.is_number() || right.is_string()) b = internal::AsNumber(right);
  int cmp;
  if (a && b) {
    if (*a != *a || *b != *b) return false;
    cmp = *a < *b ? -1 : (*a > *b ? 1 : 0);
  } else if (actual.is_string() && right.is_string()) {
    int c = actual.get_string().subview().compare(right.get_string().subview());
    cmp = c < 0 ? -1 : (c > 0 ? 1 : 0);
  } else {
    return false;
  }
  switch (cl.op) {
    case Op::kGt:
      return cmp > 0;
    case Op::kLt:
      return cmp < 0;
    case Op::kGe:
      return cmp >= 0;
    case Op::kLe:
      return cmp <= 0;
    default:
      return false;
  }
}

}  // namespace

base::Result<json::value> JsonQuery(const json::value& obj, std::string_view query) {
  if (query.size() > kMaxQueryBytes) {
    return base::InvalidArgument("json-query is longer than 4096 bytes");
  }
  Parser parser;
  OPSFLOW_ASSIGN_OR_RETURN(auto q, parser.ParseQuery(Trim(query), 0));
  Evaluator ev(obj);
  OPSFLOW_ASSIGN_OR_RETURN(const json::value* result, ev.EvalQuery(*q, obj));
  return *result;
}

}  // namespace opsflow::tasks
