#include "tasks/query/tokenize.h"

#include <cctype>
#include <functional>
#include <string>
#include <utility>

namespace opsflow::tasks::query {

namespace {

using base::Result;
using base::Status;

Status Bad(std::string_view query, std::string_view why) {
  return base::InvalidArgument("invalid json-query \"" + std::string(query) + "\": " +
                               std::string(why));
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsOpen(char c) { return c == '[' || c == '(' || c == '{'; }
bool IsClose(char c) { return c == ']' || c == ')' || c == '}'; }

// Finds the leftmost delimiter in `s`: {offset, length}, or {npos, 0}.
using Matcher = std::function<std::pair<size_t, size_t>(std::string_view)>;

std::pair<size_t, size_t> MatchOp(std::string_view s) {
  auto op_at = [&](size_t p) -> size_t {
    if (p >= s.size()) return 0;
    char c = s[p];
    char n = p + 1 < s.size() ? s[p + 1] : '\0';
    if (c == '=' || c == '~' || c == ':') return 1;
    if ((c == '<' || c == '>') && n == '=') return 2;
    if (c == '<' || c == '>') return 1;
    return 0;
  };
  for (size_t p = 0; p < s.size(); ++p) {
    if (s[p] == '!') {
      if (size_t n = op_at(p + 1)) return {p, n + 1};
    }
    if (size_t n = op_at(p)) return {p, n};
  }
  return {std::string_view::npos, 0};
}

Matcher MatchAnyOf(std::string_view chars) {
  return [chars](std::string_view s) -> std::pair<size_t, size_t> {
    size_t p = s.find_first_of(chars);
    return {p, p == std::string_view::npos ? 0 : 1};
  };
}

// Splits `text` at delimiters outside brackets (json-query's depth-split): with
// `keep_delimiters` the delimiters are elements too; at most `max` pieces.
std::vector<std::string> DepthSplit(std::string_view text, const Matcher& match, size_t max,
                                    bool keep_delimiters) {
  std::vector<std::pair<size_t, size_t>> zones;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (IsOpen(text[i])) {
      if (depth == 0) zones.emplace_back(start, i);
      ++depth;
    } else if (IsClose(text[i])) {
      --depth;
      if (depth == 0) start = i + 1;
    }
  }
  if (depth == 0 && start < text.size()) zones.emplace_back(start, text.size());
  std::vector<std::string> out;
  start = 0;
  for (size_t z = 0; z < zones.size() && max > 0; ++z) {
    size_t pos = zones[z].first;
    auto m = match(text.substr(pos, zones[z].second - pos));
    while (m.first != std::string_view::npos && max > 1) {
      out.emplace_back(text.substr(start, m.first + pos - start));
      if (keep_delimiters) out.emplace_back(text.substr(pos + m.first, m.second));
      --max;
      pos += m.first + m.second;
      start = pos;
      m = match(text.substr(pos, zones[z].second - pos));
    }
  }
  if (start < text.size()) out.emplace_back(text.substr(start));
  return out;
}

// JS parseInt(text) succeeds (leading spaces, a sign, then a digit).
bool ParsesAsInt(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  return i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]));
}

Token Plain(TokenKind kind) {
  Token t;
  t.kind = kind;
  return t;
}

class Tokenizer {
 public:
  Tokenizer(std::string_view whole, int max_depth) : whole_(whole), max_depth_(max_depth) {}
  Result<std::shared_ptr<const Tokens>> Run(std::string_view query, int depth);

 private:
  Result<Operand> SelectOperand(std::string_view part, int depth);
  Result<bool> SelectPartOf(std::string_view text, int depth, SelectPart& out);
  Result<Token> Select(std::string_view buffer, int depth);
  Result<std::vector<Operand>> Args(std::string_view buffer, int depth);

  std::string_view whole_;
  int max_depth_;
};

Result<Operand> Tokenizer::SelectOperand(std::string_view part, int depth) {
  Operand op;
  if (!part.empty() && part.front() == '{' && part.back() == '}' && part.size() >= 2) {
    op.kind = Operand::Kind::kSub;
    OPSFLOW_ASSIGN_OR_RETURN(op.sub, Run(part.substr(1, part.size() - 2), depth + 1));
    return op;
  }
  if (!part.empty() && part.front() == '?' && ParsesAsInt(part.substr(1))) {
    op.kind = Operand::Kind::kParam;
    return op;
  }
  op.text = std::string(part);
  return op;
}

// json-query's getSelectPart: false when `text` holds no operator with text on both sides.
Result<bool> Tokenizer::SelectPartOf(std::string_view text, int depth, SelectPart& out) {
  std::vector<std::string> parts = DepthSplit(text, MatchOp, 2, true);
  if (parts.size() != 3) return false;
  out.negate = parts[1].front() == '!';
  out.op = out.negate ? parts[1].substr(1) : parts[1];
  OPSFLOW_ASSIGN_OR_RETURN(out.key, SelectOperand(Trim(parts[0]), depth));
  std::string_view right = Trim(parts[2]);
  if (out.op == ":") {
    OPSFLOW_ASSIGN_OR_RETURN(out.func, Run(":" + std::string(right), depth + 1));
    return true;
  }
  OPSFLOW_ASSIGN_OR_RETURN(out.value, SelectOperand(right, depth));
  if (out.op == "~" && out.value.kind == Operand::Kind::kText) {
    const std::string& v = out.value.text;
    size_t close = v.rfind('/');
    out.regex = v.size() >= 2 && v.front() == '/' && close > 0 &&
                (close == v.size() - 1 ||
                 (close == v.size() - 2 && std::islower(static_cast<unsigned char>(v.back()))));
  }
  return true;
}

Result<Token> Tokenizer::Select(std::string_view buffer, int depth) {
  Token t;
  if (buffer == "*" || buffer == "**") {
    t.kind = TokenKind::kValues;
    t.deep = buffer == "**";
    return t;
  }
  bool multiple = !buffer.empty() && buffer.front() == '*';
  if (multiple) buffer.remove_prefix(1);
  std::vector<std::string> bparts = DepthSplit(buffer, MatchAnyOf("&|"), SIZE_MAX, true);
  if (bparts.size() > 1) {
    t.kind = TokenKind::kSelect;
    t.multiple = multiple;
    SelectPart first;
    OPSFLOW_ASSIGN_OR_RETURN(bool ok, SelectPartOf(Trim(bparts[0]), depth, first));
    t.first_part_bad = !ok;
    t.parts.push_back(std::move(first));
    for (size_t i = 1; i < bparts.size(); i += 2) {
      if (i + 1 >= bparts.size()) return Bad(whole_, "a filter ends with '" + bparts[i] + "'");
      SelectPart p;
      OPSFLOW_ASSIGN_OR_RETURN(bool has, SelectPartOf(Trim(bparts[i + 1]), depth, p));
      if (!has) continue;  // json-query drops a part without an operator
      p.boolean_op = bparts[i].front();
      t.parts.push_back(std::move(p));
    }
    return t;
  }
  SelectPart p;
  OPSFLOW_ASSIGN_OR_RETURN(bool has, SelectPartOf(Trim(buffer), depth, p));
  if (!has) {
    t.kind = TokenKind::kGet;
    OPSFLOW_ASSIGN_OR_RETURN(t.get, SelectOperand(Trim(buffer), depth));
    return t;
  }
  t.kind = TokenKind::kSelect;
  t.multiple = multiple;
  t.parts.push_back(std::move(p));
  return t;
}

Result<std::vector<Operand>> Tokenizer::Args(std::string_view buffer, int depth) {
  std::vector<Operand> out;
  if (buffer == ",") {
    out.push_back(Operand{Operand::Kind::kText, ",", nullptr});
    return out;
  }
  for (const std::string& a : DepthSplit(buffer, MatchAnyOf(","), SIZE_MAX, false)) {
    OPSFLOW_ASSIGN_OR_RETURN(Operand op, SelectOperand(Trim(a), depth));
    out.push_back(std::move(op));
  }
  return out;
}

Result<std::shared_ptr<const Tokens>> Tokenizer::Run(std::string_view q, int depth) {
  if (depth > max_depth_) return Bad(whole_, "inner queries nested too deeply");
  auto out = std::make_shared<Tokens>();
  enum class Mode { kGet, kFilter, kSelect, kMeta, kArgs };
  Mode mode = Mode::kGet;
  size_t b_start = 0, b_end = 0, part_offset = 0;
  int level = 0;
  Status error;
  auto flush = [&]() {
    std::string_view buffer =
        b_start <= b_end && b_start <= q.size() ? q.substr(b_start, b_end - b_start) : "";
    if (mode == Mode::kGet || mode == Mode::kFilter) {
      std::string_view name = Trim(buffer);
      if (!name.empty()) {
        Token t;
        if (mode == Mode::kGet) {
          t.kind = TokenKind::kGet;
          t.get.text = std::string(name);
        } else {
          t.kind = TokenKind::kHelper;
          t.helper = std::string(name);
        }
        out->push_back(std::move(t));
      }
    } else if (mode == Mode::kSelect) {
      if (buffer.empty()) {
        error = Bad(whole_, "an empty [] (json-query's deep-query override) is not supported");
      } else if (auto t = Select(buffer, depth); !t.ok()) {
        error = t.status();
      } else {
        out->push_back(std::move(t).value());
      }
    } else if (mode == Mode::kArgs) {
      auto args = Args(buffer, depth);
      if (!args.ok()) {
        error = args.status();
      } else if (!out->empty()) {
        out->back().args = std::move(args).value();
      }
    }
    mode = Mode::kGet;
    b_start = b_end + 1;
  };
  for (size_t i = 0; i < q.size() && error.ok(); ++i) {
    char c = q[i];
    char next = i + 1 < q.size() ? q[i + 1] : '\0';
    size_t pos = i - part_offset;
    if (pos == 0 && c != ':' && c != '.') out->push_back(Plain(TokenKind::kRoot));
    if (pos == 0 && c == '.' && next == '.') out->push_back(Plain(TokenKind::kParent));
    bool open = IsOpen(c), close = IsClose(c);
    if (level == 0 && (c == '.' || c == ':' || open)) {
      flush();
      mode = c == '.'   ? Mode::kGet
             : c == ':' ? Mode::kFilter
             : c == '[' ? Mode::kSelect
             : c == '(' ? Mode::kArgs
                        : Mode::kMeta;
    }
    if (level == 0 && c == '|') {
      flush();
      out->push_back(Plain(TokenKind::kOr));
      part_offset = i + 1;
    }
    if (open) ++level;
    if (close && --level < 0) return Bad(whole_, "unbalanced brackets");
    if (level == 0 && close) flush();
    b_end = i + 1;
  }
  if (!error.ok()) return error;
  if (level != 0) return Bad(whole_, "unbalanced brackets");
  flush();
  if (!error.ok()) return error;
  return std::shared_ptr<const Tokens>(std::move(out));
}

}  // namespace

Result<std::shared_ptr<const Tokens>> TokenizeQuery(std::string_view query, int max_depth) {
  std::string numbered;  // json-query numbers every '?' as a parameter: "?" -> "?0", "?1", ...
  int n = 0;
  for (char c : query) {
    numbered += c;
    if (c == '?') numbered += std::to_string(n++);
  }
  Tokenizer t(query, max_depth);
  return t.Run(numbered, 0);
}

}  // namespace opsflow::tasks::query
