#include "tasks/time_format.h"

#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "base/civil.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

constexpr int64_t kMsPerDay = 86'400'000;
// Epoch ms limits: years -9999..9999.
constexpr int64_t kMinMs = -377'705'116'800'000;
constexpr int64_t kMaxMs = 253'402'300'799'999;

constexpr std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                 "May",       "June",     "July",     "August",
                                                 "September", "October",  "November", "December"};
constexpr std::array<const char*, 7> kDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                              "Thursday", "Friday", "Saturday"};

struct Civil {
  int64_t year;
  int month, day, hour, minute, second, ms, weekday;
};

Civil CivilFromMs(int64_t ms) {
  int64_t days = ms >= 0 ? ms / kMsPerDay : -((-ms + kMsPerDay - 1) / kMsPerDay);
  int64_t rem = ms - days * kMsPerDay;
  int64_t y, m, d;
  base::CivilFromDays(days, &y, &m, &d);
  Civil c;
  c.day = static_cast<int>(d);
  c.month = static_cast<int>(m);
  c.year = y;
  c.hour = static_cast<int>(rem / 3'600'000);
  c.minute = static_cast<int>(rem / 60'000 % 60);
  c.second = static_cast<int>(rem / 1000 % 60);
  c.ms = static_cast<int>(rem % 1000);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  return c;
}

int DaysInMonth(int64_t y, int m) {
  static constexpr int kLen[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kLen[m - 1];
}

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return v < 0 ? "-" + s : s;
}

std::string OffsetText(int minutes, bool colon) {
  char sign = minutes < 0 ? '-' : '+';
  int a = std::abs(minutes);
  return std::string(1, sign) + Pad(a / 60, 2) + (colon ? ":" : "") + Pad(a % 60, 2);
}

const char* Ordinal(int d) {
  if (d % 100 >= 11 && d % 100 <= 13) return "th";
  switch (d % 10) {
    case 1:
      return "st";
    case 2:
      return "nd";
    case 3:
      return "rd";
    default:
      return "th";
  }
}

constexpr std::array<std::string_view, 30> kTokens = {
    "LLLL", "LLL", "LTS", "LL", "LT", "L",    "YYYY", "YY", "MMMM", "MMM",
    "MM",   "M",   "Do",  "DD", "D",  "dddd", "ddd",  "d",  "HH",   "H",
    "hh",   "h",   "mm",  "m",  "ss", "s",    "A",    "a",  "ZZ",   "Z"};

// The token at `pos` ("" for a literal character); S-runs and X/x handled here too.
std::string_view TokenAt(std::string_view f, size_t pos) {
  if (f[pos] == 'S') {
    size_t n = 0;
    while (pos + n < f.size() && f[pos + n] == 'S' && n < 9) ++n;
    return f.substr(pos, n);
  }
  if (f[pos] == 'X' || f[pos] == 'x') return f.substr(pos, 1);
  for (std::string_view t : kTokens) {
    if (f.substr(pos, t.size()) == t) return t;
  }
  return {};
}

std::string_view Expand(std::string_view t) {
  if (t == "LT") return "h:mm A";
  if (t == "LTS") return "h:mm:ss A";
  if (t == "L") return "MM/DD/YYYY";
  if (t == "LL") return "MMMM D, YYYY";
  if (t == "LLL") return "MMMM D, YYYY h:mm A";
  if (t == "LLLL") return "dddd, MMMM D, YYYY h:mm A";
  return {};
}

void FormatInto(const Civil& c, int64_t epoch_ms, int offset, std::string_view f, std::string& out,
                int depth) {
  size_t pos = 0;
  while (pos < f.size()) {
    if (f[pos] == '[') {
      size_t close = f.find(']', pos);
      if (close != std::string_view::npos) {
        out.append(f.substr(pos + 1, close - pos - 1));
        pos = close + 1;
        continue;
      }
    }
    std::string_view t = TokenAt(f, pos);
    if (t.empty()) {
      out += f[pos++];
      continue;
    }
    pos += t.size();
    int h12 = c.hour % 12 == 0 ? 12 : c.hour % 12;
    if (!Expand(t).empty()) {
      if (depth < 2) FormatInto(c, epoch_ms, offset, Expand(t), out, depth + 1);
    } else if (t == "YYYY")
      out += Pad(c.year, 4);
    else if (t == "YY")
      out += Pad(((c.year % 100) + 100) % 100, 2);
    else if (t == "MMMM")
      out += kMonths[c.month - 1];
    else if (t == "MMM")
      out += std::string(kMonths[c.month - 1]).substr(0, 3);
    else if (t == "MM")
      out += Pad(c.month, 2);
    else if (t == "M")
      out += std::to_string(c.month);
    else if (t == "Do")
      out += std::to_string(c.day) + Ordinal(c.day);
    else if (t == "DD")
      out += Pad(c.day, 2);
    else if (t == "D")
      out += std::to_string(c.day);
    else if (t == "dddd")
      out += kDays[c.weekday];
    else if (t == "ddd")
      out += std::string(kDays[c.weekday]).substr(0, 3);
    else if (t == "d")
      out += std::to_string(c.weekday);
    else if (t == "HH")
      out += Pad(c.hour, 2);
    else if (t == "H")
      out += std::to_string(c.hour);
    else if (t == "hh")
      out += Pad(h12, 2);
    else if (t == "h")
      out += std::to_string(h12);
    else if (t == "mm")
      out += Pad(c.minute, 2);
    else if (t == "m")
      out += std::to_string(c.minute);
    else if (t == "ss")
      out += Pad(c.second, 2);
    else if (t == "s")
      out += std::to_string(c.second);
    else if (t == "A")
      out += c.hour < 12 ? "AM" : "PM";
    else if (t == "a")
      out += c.hour < 12 ? "am" : "pm";
    else if (t == "ZZ")
      out += OffsetText(offset, false);
    else if (t == "Z")
      out += OffsetText(offset, true);
    else if (t == "X")
      out += std::to_string(epoch_ms >= 0 ? epoch_ms / 1000 : -((-epoch_ms + 999) / 1000));
    else if (t == "x")
      out += std::to_string(epoch_ms);
    else if (t[0] == 'S') {
      std::string frac = Pad(c.ms, 3) + "000000";
      out += frac.substr(0, t.size());
    }
  }
}

// ---- parsing ----

struct Fields {
  int64_t year = 1970;
  int month = 1, day = 1, hour = 0, minute = 0, second = 0, ms = 0;
  int pm = -1;  // -1 unknown, 0 am, 1 pm
  int offset = 0;
  std::optional<int64_t> epoch_ms;
};

bool ReadInt(std::string_view s, size_t& pos, size_t min_digits, size_t max_digits, int64_t& v) {
  size_t start = pos;
  v = 0;
  while (pos < s.size() && pos - start < max_digits &&
         std::isdigit(static_cast<unsigned char>(s[pos]))) {
    v = v * 10 + (s[pos] - '0');
    ++pos;
  }
  return pos - start >= min_digits;
}

bool ReadOffset(std::string_view s, size_t& pos, int& offset) {
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
    offset = 0;
    return true;
  }
  if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) return false;
  int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int64_t h = 0, m = 0;
  if (!ReadInt(s, pos, 2, 2, h)) return false;
  if (pos < s.size() && s[pos] == ':') ++pos;
  if (!ReadInt(s, pos, 2, 2, m)) return false;
  if (h > 23 || m > 59) return false;
  offset = sign * static_cast<int>(h * 60 + m);
  return true;
}

bool ReadName(std::string_view s, size_t& pos, bool months, int& index) {
  size_t start = pos;
  while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
  std::string word(s.substr(start, pos - start));
  if (word.size() < 3) return false;
  for (char& ch : word) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  size_t n = months ? kMonths.size() : kDays.size();
  for (size_t i = 0; i < n; ++i) {
    std::string name = months ? kMonths[i] : kDays[i];
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name == word || name.substr(0, 3) == word) {
      index = static_cast<int>(i);
      return true;
    }
  }
  return false;
}

bool ParseWith(std::string_view s, std::string_view f, Fields& fl, size_t& pos, int depth) {
  size_t fp = 0;
  while (fp < f.size()) {
    if (f[fp] == '[') {
      size_t close = f.find(']', fp);
      if (close != std::string_view::npos) {
        std::string_view lit = f.substr(fp + 1, close - fp - 1);
        if (s.substr(pos, lit.size()) != lit) return false;
        pos += lit.size();
        fp = close + 1;
        continue;
      }
    }
    std::string_view t = TokenAt(f, fp);
    if (t.empty()) {
      if (pos >= s.size() || s[pos] != f[fp]) return false;
      ++pos;
      ++fp;
      continue;
    }
    fp += t.size();
    int64_t v = 0;
    int idx = 0;
    if (!Expand(t).empty()) {
      if (depth >= 2 || !ParseWith(s, Expand(t), fl, pos, depth + 1)) return false;
    } else if (t == "YYYY") {
      bool neg = pos < s.size() && s[pos] == '-';
      if (neg || (pos < s.size() && s[pos] == '+')) ++pos;
      if (!ReadInt(s, pos, 4, 6, v)) return false;
      fl.year = neg ? -v : v;
    } else if (t == "YY") {
      if (!ReadInt(s, pos, 2, 2, v)) return false;
      fl.year = v + (v > 68 ? 1900 : 2000);
    } else if (t == "MMMM" || t == "MMM") {
      if (!ReadName(s, pos, true, idx)) return false;
      fl.month = idx + 1;
    } else if (t == "dddd" || t == "ddd") {
      if (!ReadName(s, pos, false, idx)) return false;
    } else if (t == "d") {
      if (!ReadInt(s, pos, 1, 1, v)) return false;
    } else if (t == "MM" || t == "M") {
      if (!ReadInt(s, pos, 1, 2, v)) return false;
      fl.month = static_cast<int>(v);
    } else if (t == "DD" || t == "D" || t == "Do") {
      if (!ReadInt(s, pos, 1, 2, v)) return false;
      fl.day = static_cast<int>(v);
      if (t == "Do") {
        while (pos < s.size() && std::isalpha(static_cast<unsigned char>(s[pos]))) ++pos;
      }
    } else if (t == "HH" || t == "H" || t == "hh" || t == "h") {
      if (!ReadInt(s, pos, 1, 2, v)) return false;
      fl.hour = static_cast<int>(v);
    } else if (t == "mm" || t == "m") {
      if (!ReadInt(s, pos, 1, 2, v)) return false;
      fl.minute = static_cast<int>(v);
    } else if (t == "ss" || t == "s") {
      if (!ReadInt(s, pos, 1, 2, v)) return false;
      fl.second = static_cast<int>(v);
    } else if (t[0] == 'S') {
      size_t start = pos;
      if (!ReadInt(s, pos, 1, 9, v)) return false;
      std::string digits(s.substr(start, pos - start));
      digits = (digits + "000").substr(0, 3);
      fl.ms = std::stoi(digits);
    } else if (t == "A" || t == "a") {
      std::string ap(s.substr(pos, 2));
      for (char& ch : ap) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (ap != "am" && ap != "pm") return false;
      fl.pm = ap == "pm";
      pos += 2;
    } else if (t == "ZZ" || t == "Z") {
      if (!ReadOffset(s, pos, fl.offset)) return false;
    } else if (t == "X" || t == "x") {
      bool neg = pos < s.size() && s[pos] == '-';
      if (neg) ++pos;
      size_t start = pos;
      if (!ReadInt(s, pos, 1, 15, v)) return false;
      int64_t ms = t == "x" ? v : v * 1000;
      if (t == "X" && pos < s.size() && s[pos] == '.') {
        ++pos;
        size_t fs = pos;
        int64_t frac = 0;
        ReadInt(s, pos, 0, 9, frac);
        std::string digits = (std::string(s.substr(fs, pos - fs)) + "000").substr(0, 3);
        ms += std::stoi(digits);
      }
      (void)start;
      fl.epoch_ms = neg ? -ms : ms;
    }
  }
  return true;
}

base::Result<int64_t> ToEpoch(const Fields& fl) {
  if (fl.epoch_ms) return *fl.epoch_ms;
  int hour = fl.hour;
  if (fl.pm == 1 && hour < 12) hour += 12;
  if (fl.pm == 0 && hour == 12) hour = 0;
  if (fl.month < 1 || fl.month > 12 || fl.day < 1 || fl.day > DaysInMonth(fl.year, fl.month) ||
      hour > 23 || fl.minute > 59 || fl.second > 59 || fl.year < -9999 || fl.year > 9999) {
    return base::InvalidArgument("date or time out of range");
  }
  int64_t days = base::DaysFromCivil(fl.year, fl.month, fl.day);
  int64_t ms =
      days * kMsPerDay + hour * 3'600'000LL + fl.minute * 60'000LL + fl.second * 1000LL + fl.ms;
  return ms - fl.offset * 60'000LL;
}

// ISO-8601 as moment.js reads it (base::Iso8601Grammar::kLenient), within ToEpoch's ranges.
base::Result<int64_t> ParseIso(std::string_view s) {
  auto iso = base::ParseIso8601Fields(s, base::Iso8601Grammar::kLenient);
  if (!iso) return base::InvalidArgument("not an ISO 8601 time");
  Fields fl;
  fl.year = iso->year;
  fl.month = iso->month;
  fl.day = iso->day;
  fl.hour = iso->hour;
  fl.minute = iso->minute;
  fl.second = iso->second;
  fl.ms = iso->millisecond;
  fl.offset = iso->offset_minutes;
  return ToEpoch(fl);
}

}  // namespace

std::string FormatTime(int64_t epoch_ms, int offset_minutes, std::string_view format) {
  if (epoch_ms < kMinMs) epoch_ms = kMinMs;
  if (epoch_ms > kMaxMs) epoch_ms = kMaxMs;
  Civil c = CivilFromMs(epoch_ms + offset_minutes * 60'000LL);
  std::string out;
  FormatInto(c, epoch_ms, offset_minutes, format, out, 0);
  return out;
}

base::Result<int64_t> ParseTime(std::string_view text, std::string_view format) {
  if (!format.empty()) {
    Fields fl;
    size_t pos = 0;
    if (ParseWith(text, format, fl, pos, 0) && pos == text.size()) {
      auto r = ToEpoch(fl);
      if (r.ok()) return r;
    }
  }
  auto iso = ParseIso(text);
  if (iso.ok()) return iso;
  return base::InvalidArgument("time \"" + std::string(text) + "\" does not match format \"" +
                               std::string(format) + "\" nor ISO 8601");
}

base::Result<int> ParseZoneOffset(std::string_view zone) {
  std::string z(zone);
  // Unicode minus (U+2212) -> '-'.
  for (size_t p; (p = z.find("\xE2\x88\x92")) != std::string::npos;) z.replace(p, 3, "-");
  size_t sign = z.find_last_of("+-");
  if (sign != std::string::npos) {
    size_t pos = sign + 1;
    int64_t h = 0, m = 0;
    if (ReadInt(z, pos, 1, 2, h)) {
      if (pos < z.size() && z[pos] == ':') ++pos;
      ReadInt(z, pos, 0, 2, m);
      while (pos < z.size() && std::isspace(static_cast<unsigned char>(z[pos]))) ++pos;
      if (pos == z.size() && h <= 14 && m <= 59) {
        return (z[sign] == '-' ? -1 : 1) * static_cast<int>(h * 60 + m);
      }
    }
  }
  std::string up;
  for (char c : z) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      up += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (up.empty() || up == "UTC" || up == "GMT" || up == "Z" || up == "ETC/UTC" || up == "UTC:") {
    return 0;
  }
  return base::InvalidArgument("unsupported timezone \"" + std::string(zone) +
                               "\": give a UTC offset such as \"UTC -04:00\" or \"+05:30\"");
}

base::Result<int64_t> AddDuration(int64_t epoch_ms, int offset_minutes, const json::value& d) {
  if (d.is_number()) {
    auto n = AsNumber(d);
    if (!n || !std::isfinite(*n) || std::fabs(*n) > 1e15) {
      return base::InvalidArgument("offsetDuration is out of range");
    }
    return epoch_ms + static_cast<int64_t>(std::llround(*n));
  }
  if (!d.is_object()) {
    return base::InvalidArgument(std::string("offsetDuration must be a number or an object, got ") +
                                 TypeName(d));
  }
  struct Unit {
    const char* names[3];
    double ms;
    int months;
  };
  static constexpr Unit kUnits[] = {
      {{"years", "year", "y"}, 0, 12},          {{"months", "month", "M"}, 0, 1},
      {{"weeks", "week", "w"}, 7 * 86400e3, 0}, {{"days", "day", "d"}, 86400e3, 0},
      {{"hours", "hour", "h"}, 3600e3, 0},      {{"minutes", "minute", "m"}, 60e3, 0},
      {{"seconds", "second", "s"}, 1e3, 0},     {{"milliseconds", "millisecond", "ms"}, 1, 0},
  };
  double ms = 0;
  int64_t months = 0;
  for (const auto& kv : d.get_object()) {
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      for (const char* n : u.names) {
        if (kv.key() == n) unit = &u;
      }
    }
    if (!unit) {
      return base::InvalidArgument("offsetDuration has an unknown unit \"" + std::string(kv.key()) +
                                   "\"");
    }
    auto n = AsNumber(kv.value());
    if (!n || !std::isfinite(*n) || std::fabs(*n) > 1e12) {
      return base::InvalidArgument("offsetDuration." + std::string(kv.key()) + " must be a number");
    }
    if (unit->months) {
      if (std::trunc(*n) != *n) {
        return base::InvalidArgument("offsetDuration." + std::string(kv.key()) +
                                     " must be a whole number");
      }
      months += static_cast<int64_t>(*n) * unit->months;
    } else {
      ms += *n * unit->ms;
    }
  }
  if (std::fabs(ms) > 1e15 || std::llabs(months) > 12 * 20000) {
    return base::InvalidArgument("offsetDuration is out of range");
  }
  int64_t t = epoch_ms + static_cast<int64_t>(std::llround(ms));
  if (months != 0) {
    int64_t local = t + offset_minutes * 60'000LL;
    Civil c = CivilFromMs(local);
    int64_t total = c.year * 12 + (c.month - 1) + months;
    int64_t y = total >= 0 ? total / 12 : -((-total + 11) / 12);
    int m = static_cast<int>(total - y * 12) + 1;
    int day = std::min(c.day, DaysInMonth(y, m));
    int64_t tod = ((local % kMsPerDay) + kMsPerDay) % kMsPerDay;
    local = base::DaysFromCivil(y, m, day) * kMsPerDay + tod;
    t = local - offset_minutes * 60'000LL;
  }
  if (t < kMinMs || t > kMaxMs) return base::InvalidArgument("the time is out of range");
  return t;
}

}  // namespace opsflow::tasks::internal
