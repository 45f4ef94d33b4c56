// The String library of the JST runtime. Lengths and indices count code points.
#include <algorithm>
#include <boost/json.hpp>
#include <cctype>

#include "tasks/jst/lib.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::jst::internal {

namespace {

using tasks::internal::CodePointCount;
using tasks::internal::CodePointOffset;

constexpr size_t kMaxString = 16 * 1024 * 1024;

std::string Str(const Args& a, size_t i) { return ToJsString(a[i]); }

Ret Concat(Args& a) {
  std::string out;
  for (size_t i = 0; i < a.size(); ++i) {
    out += ToJsString(a[i]);
    if (out.size() > kMaxString) return a.Fail("result too long");
  }
  return bj::value(std::move(out));
}

Ret Includes(Args& a) {
  std::string s = Str(a, 0);
  size_t from = CodePointOffset(s, static_cast<size_t>(ToIntegerClamped(a[2], 0, 1LL << 40, 0)));
  return s.find(Str(a, 1), from) != std::string::npos;
}

Ret Length(Args& a) { return Num(static_cast<double>(CodePointCount(Str(a, 0)))); }

std::string Expand(std::string_view repl, const RegexMatch& m, std::string_view text) {
  std::string out;
  for (size_t i = 0; i < repl.size(); ++i) {
    if (repl[i] != '$' || i + 1 == repl.size()) {
      out += repl[i];
      continue;
    }
    char c = repl[i + 1];
    if (c == '$') {
      out += '$';
      ++i;
    } else if (c == '&') {
      out += text.substr(m.begin, m.end - m.begin);
      ++i;
    } else if (std::isdigit(static_cast<unsigned char>(c)) && c != '0') {
      size_t g = static_cast<size_t>(c - '0');
      if (g < m.groups.size()) {
        if (m.groups[g].is_string()) out += m.groups[g].get_string();
        ++i;
      } else {
        out += '$';
      }
    } else {
      out += '$';
    }
  }
  return out;
}

Ret ReplaceImpl(Args& a, bool all) {
  std::string s = Str(a, 0);
  std::string repl = Str(a, 2);
  std::vector<RegexMatch> matches;
  if (IsRegExp(a[1])) {
    OPSFLOW_ASSIGN_OR_RETURN(matches, RegexFind(a[1], s, all));
  } else {
    std::string pat = Str(a, 1);
    size_t pos = 0;
    while (pos <= s.size()) {
      size_t hit = s.find(pat, pos);
      if (hit == std::string::npos) break;
      RegexMatch m;
      m.begin = hit;
      m.end = hit + pat.size();
      m.groups.emplace_back(pat);
      matches.push_back(std::move(m));
      if (!all) break;
      pos = pat.empty() ? hit + 1 : hit + pat.size();
    }
  }
  std::string out;
  size_t pos = 0;
  for (const RegexMatch& m : matches) {
    out.append(s, pos, m.begin - pos);
    out += Expand(repl, m, s);
    pos = m.end;
    if (out.size() > kMaxString) return a.Fail("result too long");
  }
  out.append(s, pos);
  return bj::value(std::move(out));
}

Ret Replace(Args& a) { return ReplaceImpl(a, false); }
Ret ReplaceAll(Args& a) { return ReplaceImpl(a, true); }

Ret Split(Args& a) {
  std::string s = Str(a, 0);
  size_t limit = static_cast<size_t>(ToIntegerClamped(a[2], 0, 1LL << 32, 1LL << 32));
  bj::array out;
  auto add = [&](std::string_view piece) {
    if (out.size() < limit) out.emplace_back(piece);
  };
  if (a[1].is_null()) {
    add(s);
  } else if (IsRegExp(a[1])) {
    OPSFLOW_ASSIGN_OR_RETURN(auto matches, RegexFind(a[1], s, true));
    size_t pos = 0;
    for (const RegexMatch& m : matches) {
      if (m.end == m.begin && (m.begin == 0 || m.begin >= s.size())) continue;
      add(std::string_view(s).substr(pos, m.begin - pos));
      for (size_t g = 1; g < m.groups.size(); ++g) {
        if (out.size() < limit) out.push_back(m.groups[g]);
      }
      pos = m.end;
    }
    add(std::string_view(s).substr(pos));
  } else {
    std::string sep = Str(a, 1);
    if (sep.empty()) {
      size_t n = CodePointCount(s);
      for (size_t i = 0; i < n && out.size() < limit; ++i) {
        size_t b = CodePointOffset(s, i), e = CodePointOffset(s, i + 1);
        add(std::string_view(s).substr(b, e - b));
      }
    } else {
      size_t pos = 0;
      for (size_t hit; (hit = s.find(sep, pos)) != std::string::npos && out.size() < limit;) {
        add(std::string_view(s).substr(pos, hit - pos));
        pos = hit + sep.size();
      }
      add(std::string_view(s).substr(pos));
    }
  }
  return out;
}

Ret TrimImpl(Args& a, bool front, bool back) {
  std::string s = Str(a, 0);
  const char* ws = " \t\n\r\f\v";
  size_t b = front ? s.find_first_not_of(ws) : 0;
  if (b == std::string::npos) return bj::value("");
  size_t e = back ? s.find_last_not_of(ws) + 1 : s.size();
  return bj::value(s.substr(b, e - b));
}
Ret Trim(Args& a) { return TrimImpl(a, true, true); }
Ret TrimStart(Args& a) { return TrimImpl(a, true, false); }
Ret TrimEnd(Args& a) { return TrimImpl(a, false, true); }

Ret CharAt(Args& a) {
  std::string s = Str(a, 0);
  int64_t i = ToIntegerClamped(a[1], -1, 1LL << 40, 0);
  size_t n = CodePointCount(s);
  if (i < 0 || static_cast<size_t>(i) >= n) return bj::value("");
  size_t b = CodePointOffset(s, static_cast<size_t>(i));
  size_t e = CodePointOffset(s, static_cast<size_t>(i) + 1);
  return bj::value(s.substr(b, e - b));
}

Ret Case(Args& a, bool upper) {
  std::string s = Str(a, 0);
  for (char& c : s) {
    c = static_cast<char>(upper ? std::toupper(static_cast<unsigned char>(c))
                                : std::tolower(static_cast<unsigned char>(c)));
  }
  return bj::value(std::move(s));
}
Ret ToUpperCase(Args& a) { return Case(a, true); }
Ret ToLowerCase(Args& a) { return Case(a, false); }

Ret StartsWith(Args& a) {
  std::string s = Str(a, 0), p = Str(a, 1);
  return s.rfind(p, 0) == 0;
}
Ret EndsWith(Args& a) {
  std::string s = Str(a, 0), p = Str(a, 1);
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

Ret IndexOf(Args& a) {
  std::string s = Str(a, 0);
  size_t hit = s.find(Str(a, 1));
  if (hit == std::string::npos) return -1;
  return Num(static_cast<double>(CodePointCount(std::string_view(s).substr(0, hit))));
}

Ret Substring(Args& a) {
  std::string s = Str(a, 0);
  int64_t n = static_cast<int64_t>(CodePointCount(s));
  int64_t b = ToIntegerClamped(a[1], 0, n, 0), e = ToIntegerClamped(a[2], 0, n, n);
  if (b > e) std::swap(b, e);
  size_t ob = CodePointOffset(s, static_cast<size_t>(b));
  size_t oe = CodePointOffset(s, static_cast<size_t>(e));
  return bj::value(s.substr(ob, oe - ob));
}

Ret Slice(Args& a) {
  std::string s = Str(a, 0);
  size_t n = CodePointCount(s);
  size_t b = RelIndex(a[1], n, 0), e = RelIndex(a[2], n, n);
  if (b >= e) return bj::value("");
  size_t ob = CodePointOffset(s, b), oe = CodePointOffset(s, e);
  return bj::value(s.substr(ob, oe - ob));
}

Ret Repeat(Args& a) {
  std::string s = Str(a, 0);
  int64_t n = ToIntegerClamped(a[1], -1, 1LL << 32, 0);
  if (n < 0) return a.Fail("invalid count");
  if (static_cast<double>(s.size()) * static_cast<double>(n) > kMaxString) {
    return a.Fail("result too long");
  }
  std::string out;
  for (int64_t i = 0; i < n; ++i) out += s;
  return bj::value(std::move(out));
}

Ret Pad(Args& a, bool start) {
  std::string s = Str(a, 0);
  size_t target = static_cast<size_t>(ToIntegerClamped(a[1], 0, kMaxString, 0));
  std::string fill = a[2].is_null() ? " " : Str(a, 2);
  size_t n = CodePointCount(s);
  if (n >= target || fill.empty()) return bj::value(std::move(s));
  std::string pad;
  while (CodePointCount(pad) < target - n) pad += fill;
  pad = pad.substr(0, CodePointOffset(pad, target - n));
  return bj::value(start ? pad + s : s + pad);
}
Ret PadStart(Args& a) { return Pad(a, true); }
Ret PadEnd(Args& a) { return Pad(a, false); }

Ret ToStringM(Args& a) { return bj::value(Str(a, 0)); }

Ret NewString(Args& a) { return bj::value(a[0].is_null() ? std::string() : Str(a, 0)); }

}  // namespace

std::vector<Entry> StringMethods() {
  return {
      {"String.concat", Concat},
      {"String.includes", Includes},
      {"String.length", Length},
      {"String.replace", Replace},
      {"String.replaceAll", ReplaceAll},
      {"String.split", Split},
      {"String.trim", Trim},
      {"String.trimStart", TrimStart},
      {"String.trimEnd", TrimEnd},
      {"String.charAt", CharAt},
      {"String.toUpperCase", ToUpperCase},
      {"String.toLowerCase", ToLowerCase},
      {"String.startsWith", StartsWith},
      {"String.endsWith", EndsWith},
      {"String.indexOf", IndexOf},
      {"String.substring", Substring},
      {"String.slice", Slice},
      {"String.repeat", Repeat},
      {"String.padStart", PadStart},
      {"String.padEnd", PadEnd},
      {"String.toString", ToStringM},
      {"String.templateLiteral", Concat},
      {"String.new String", NewString},
  };
}

}  // namespace opsflow::tasks::jst::internal
