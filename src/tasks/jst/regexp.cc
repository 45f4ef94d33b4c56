// RegExp support of the JST runtime (on RE2: linear time, no backreferences or lookaround
// except a leading lookbehind, which is rewritten as a non-capturing prefix).
#include <re2/re2.h>

#include <boost/json.hpp>
#include <memory>

#include "tasks/jst/lib.h"

namespace opsflow::tasks::jst::internal {

namespace {

constexpr size_t kMaxPattern = 4096;
constexpr size_t kMaxMatches = 100000;

void Parts(const bj::value& re, std::string& source, std::string& flags) {
  if (IsRegExp(re)) {
    const bj::object& r = re.get_object().begin()->value().get_object();
    source = ToJsString(r.at("source"));
    flags = ToJsString(r.at("flags"));
  } else {
    source = ToJsString(re);
  }
}

// Splits a leading "(?<=x)" off `source`; returns false when there is none.
bool SplitLookbehind(const std::string& source, std::string& behind, std::string& rest) {
  if (source.rfind("(?<=", 0) != 0) return false;
  int depth = 1;
  for (size_t i = 4; i < source.size(); ++i) {
    char c = source[i];
    if (c == '\\') {
      ++i;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth == 0) {
      behind = source.substr(4, i - 4);
      rest = source.substr(i + 1);
      return true;
    }
  }
  return false;
}

}  // namespace

bool RegexGlobal(const bj::value& re) {
  std::string source, flags;
  Parts(re, source, flags);
  return flags.find('g') != std::string::npos;
}

base::Result<std::vector<RegexMatch>> RegexFind(const bj::value& re, std::string_view text,
                                                bool all) {
  std::string source, flags;
  Parts(re, source, flags);
  if (source.size() > kMaxPattern) return base::InvalidArgument("regular expression too long");
  all = all || flags.find('g') != std::string::npos;
  std::string behind, rest, pattern;
  bool lookbehind = SplitLookbehind(source, behind, rest);
  pattern = lookbehind ? "(?:" + behind + ")(" + rest + ")" : source;
  std::string prefix;
  if (flags.find('m') != std::string::npos) prefix += "(?m)";
  if (flags.find('s') != std::string::npos) prefix += "(?s)";
  RE2::Options options;
  options.set_log_errors(false);
  options.set_case_sensitive(flags.find('i') == std::string::npos);
  RE2 compiled(prefix + pattern, options);
  if (!compiled.ok()) {
    return base::InvalidArgument("invalid regular expression /" + source +
                                 "/: " + compiled.error());
  }
  const int groups = compiled.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> sub(static_cast<size_t>(groups));
  std::vector<RegexMatch> out;
  size_t pos = 0;
  const re2::StringPiece input(text.data(), text.size());
  while (pos <= text.size() && out.size() < kMaxMatches) {
    if (!compiled.Match(input, pos, text.size(), RE2::UNANCHORED, sub.data(), groups)) break;
    RegexMatch m;
    int first = lookbehind ? 1 : 0;
    m.begin = static_cast<size_t>(sub[first].data() - text.data());
    m.end = m.begin + sub[first].size();
    for (int g = first; g < groups; ++g) {
      if (g == 1 && lookbehind) {
        m.groups.emplace_back(std::string(sub[g].data(), sub[g].size()));
        continue;
      }
      if (sub[g].data() == nullptr)
        m.groups.emplace_back(nullptr);
      else
        m.groups.emplace_back(std::string(sub[g].data(), sub[g].size()));
    }
    size_t whole_end = static_cast<size_t>(sub[0].data() - text.data()) + sub[0].size();
    out.push_back(std::move(m));
    if (!all) break;
    pos = whole_end > pos ? whole_end : pos + 1;
  }
  return out;
}

namespace {

Ret Exec(Args& a) {
  std::string text = ToJsString(a[1]);
  OPSFLOW_ASSIGN_OR_RETURN(auto matches, RegexFind(a[0], text, false));
  if (matches.empty()) return bj::value();
  return std::move(matches[0].groups);
}

Ret Test(Args& a) {
  std::string text = ToJsString(a[1]);
  OPSFLOW_ASSIGN_OR_RETURN(auto matches, RegexFind(a[0], text, false));
  return !matches.empty();
}

Ret NewRegExp(Args& a) {
  std::string source = a[0].is_null() ? "(?:)" : ToJsString(a[0]);
  if (IsRegExp(a[0])) {
    source = ToJsString(a[0].get_object().begin()->value().get_object().at("source"));
  }
  std::string flags = a[1].is_null() ? "" : ToJsString(a[1]);
  for (char c : flags) {
    if (std::string_view("gimsuyd").find(c) == std::string_view::npos) {
      return a.Fail(std::string("invalid flag '") + c + "'");
    }
  }
  bj::value re = MakeRegExp(source, flags);
  auto check = RegexFind(re, "", false);  // compile once to report a bad pattern here
  if (!check.ok()) return a.Fail(check.status().message());
  return re;
}

}  // namespace

std::vector<Entry> RegExpMethods() {
  return {
      {"RegExp.exec", Exec},
      {"RegExp.test", Test},
      {"RegExp.new RegExp", NewRegExp},
  };
}

}  // namespace opsflow::tasks::jst::internal
