// The Date library of the JST runtime. A Date value is its ISO-8601 UTC string (what
// JSON.stringify writes); methods also accept epoch milliseconds. Time zones are UTC.
#include <boost/json.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "base/civil.h"
#include "tasks/jst/lib.h"

namespace opsflow::tasks::jst::internal {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kMaxTime = 8.64e15;
const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
const char* const kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

// Epoch ms from components (month 0-based, overflow carried as JS does).
double MakeTime(double y, double mon, double d, double h, double mi, double s, double ms) {
  for (double v : {y, mon, d, h, mi, s, ms}) {
    if (!std::isfinite(v)) return kNaN;
  }
  double ym = y + std::floor(mon / 12);
  double mn = std::fmod(mon, 12);
  if (mn < 0) mn += 12;
  if (std::fabs(ym) > 400000) return kNaN;
  double days = static_cast<double>(base::DaysFromCivil(static_cast<int64_t>(ym),
                                                        static_cast<int64_t>(mn) + 1, 1)) +
                std::trunc(d) - 1;
  double t = days * 86400000.0 + std::trunc(h) * 3600000.0 + std::trunc(mi) * 60000.0 +
             std::trunc(s) * 1000.0 + std::trunc(ms);
  return std::fabs(t) > kMaxTime ? kNaN : t;
}

int MonthIndex(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (name.size() >= 3 && strncasecmp(name.data(), kMonths[i], 3) == 0) return i;
  }
  return -1;
}

// Date.parse for ISO-8601, "YYYY/MM/DD[ hh:mm[:ss]]", "Tue May 16 2023" and
// "Tue, 16 May 2023 10:00:00 GMT". NaN for anything else.
double ParseDate(const std::string& s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, n = 0;
  double frac = 0;
  if (std::sscanf(s.c_str(), "%d-%d-%d%n", &y, &mo, &d, &n) == 3 ||
      std::sscanf(s.c_str(), "%d/%d/%d%n", &y, &mo, &d, &n) == 3) {
    std::string rest = s.substr(static_cast<size_t>(n));
    int m2 = 0;
    if (!rest.empty() && (rest[0] == 'T' || rest[0] == ' ')) {
      if (std::sscanf(rest.c_str() + 1, "%d:%d%n", &h, &mi, &m2) == 2) {
        rest = rest.substr(1 + static_cast<size_t>(m2));
        if (!rest.empty() && rest[0] == ':' &&
            std::sscanf(rest.c_str() + 1, "%d%n", &sec, &m2) == 1) {
          rest = rest.substr(1 + static_cast<size_t>(m2));
          if (!rest.empty() && rest[0] == '.') {
            size_t e = 1;
            double scale = 0.1;
            while (e < rest.size() && std::isdigit(static_cast<unsigned char>(rest[e]))) {
              frac += (rest[e] - '0') * scale;
              scale /= 10;
              ++e;
            }
            rest = rest.substr(e);
          }
        }
      } else {
        return kNaN;
      }
    }
    double offset_min = 0;
    int oh = 0, om = 0;
    if (!rest.empty() && (rest[0] == '+' || rest[0] == '-') &&
        std::sscanf(rest.c_str() + 1, "%d:%d", &oh, &om) >= 1) {
      if (rest.find(':') == std::string::npos && oh >= 100) {
        om = oh % 100;
        oh /= 100;
      }
      offset_min = (rest[0] == '-' ? -1 : 1) * (oh * 60 + om);
    } else if (!rest.empty() && rest != "Z" && rest != "z") {
      return kNaN;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 60) return kNaN;
    return MakeTime(y, mo - 1, d, h, mi, sec, std::round(frac * 1000)) - offset_min * 60000.0;
  }
  char a[16] = {0}, b[16] = {0};
  if (std::sscanf(s.c_str(), "%15s %15s %d %d %d:%d:%d", a, b, &d, &y, &h, &mi, &sec) >= 4 &&
      MonthIndex(b) >= 0) {
    return MakeTime(y, MonthIndex(b), d, h, mi, sec, 0);
  }
  h = mi = sec = 0;
  if (std::sscanf(s.c_str(), "%15[^,], %d %15s %d %d:%d:%d", a, &d, b, &y, &h, &mi, &sec) >= 4 &&
      MonthIndex(b) >= 0) {
    return MakeTime(y, MonthIndex(b), d, h, mi, sec, 0);
  }
  return kNaN;
}

double TimeOf(const bj::value& v) {
  if (IsNumber(v)) return ToNumber(v);
  if (v.is_string()) return ParseDate(std::string(v.get_string()));
  return kNaN;
}

struct Parts {
  int64_t y, m, d, h, mi, s, ms, wd;
};

Parts Split(double t) {
  int64_t ms = static_cast<int64_t>(t);
  int64_t days = ms >= 0 ? ms / 86400000 : (ms - 86399999) / 86400000;
  int64_t rem = ms - days * 86400000;
  Parts p{};
  base::CivilFromDays(days, &p.y, &p.m, &p.d);
  p.h = rem / 3600000;
  p.mi = rem / 60000 % 60;
  p.s = rem / 1000 % 60;
  p.ms = rem % 1000;
  p.wd = ((days % 7) + 11) % 7;  // 1970-01-01 was a Thursday
  return p;
}

bj::value Iso(double t) {
  if (!std::isfinite(t) || std::fabs(t) > kMaxTime) return bj::value();
  Parts p = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<long long>(p.y), static_cast<long long>(p.m),
                static_cast<long long>(p.d), static_cast<long long>(p.h),
                static_cast<long long>(p.mi), static_cast<long long>(p.s),
                static_cast<long long>(p.ms));
  return bj::value(buf);
}

Ret Now(Args& a) { return Num(static_cast<double>(a.caller.NowMs())); }
Ret Parse(Args& a) { return Num(ParseDate(ToJsString(a[0]))); }
Ret GetTime(Args& a) { return Num(TimeOf(a[0])); }

Ret ToISOString(Args& a) {
  double t = TimeOf(a[0]);
  if (!std::isfinite(t)) return a.Fail("invalid time value");
  return Iso(t);
}

Ret ToDateString(Args& a) {
  double t = TimeOf(a[0]);
  if (!std::isfinite(t)) return bj::value("Invalid Date");
  Parts p = Split(t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %s %02lld %04lld", kDays[p.wd], kMonths[p.m - 1],
                static_cast<long long>(p.d), static_cast<long long>(p.y));
  return bj::value(buf);
}

Ret ToUTCString(Args& a) {
  double t = TimeOf(a[0]);
  if (!std::isfinite(t)) return bj::value("Invalid Date");
  Parts p = Split(t);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%s, %02lld %s %04lld %02lld:%02lld:%02lld GMT", kDays[p.wd],
                static_cast<long long>(p.d), kMonths[p.m - 1], static_cast<long long>(p.y),
                static_cast<long long>(p.h), static_cast<long long>(p.mi),
                static_cast<long long>(p.s));
  return bj::value(buf);
}

// new Date(), new Date(value) and new Date(y, m, d, h, mi, s, ms) (null components count as
// absent: day 1, others 0).
Ret NewDate(Args& a) {
  size_t given = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!a[i].is_null()) given = i + 1;
  }
  if (given == 0) return Iso(static_cast<double>(a.caller.NowMs()));
  if (given == 1) return Iso(TimeOf(a[0]));
  auto comp = [&](size_t i, double dflt) { return a[i].is_null() ? dflt : ToNumber(a[i]); };
  double y = comp(0, 0);
  if (y >= 0 && y <= 99 && y == std::trunc(y)) y += 1900;
  return Iso(MakeTime(y, comp(1, 0), comp(2, 1), comp(3, 0), comp(4, 0), comp(5, 0), comp(6, 0)));
}

}  // namespace

std::vector<Entry> DateMethods() {
  return {
      {"Date.now", Now},
      {"Date.parse", Parse},
      {"Date.getTime", GetTime},
      {"Date.toISOString", ToISOString},
      {"Date.toDateString", ToDateString},
      {"Date.toUTCString", ToUTCString},
      {"Date.new Date", NewDate},
  };
}

}  // namespace opsflow::tasks::jst::internal
