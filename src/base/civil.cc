#include "base/civil.h"

#include <cstddef>

namespace opsflow::base {

int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int64_t* m, int64_t* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp + (mp < 10 ? 3 : -9);
  *y = yoe + era * 400 + (*m <= 2);
}

namespace {

// Reads between `min` and `max` digits at `*pos` into `*v`.
bool ReadDigits(std::string_view s, size_t* pos, size_t min, size_t max, int64_t* v) {
  size_t start = *pos;
  *v = 0;
  while (*pos < s.size() && *pos - start < max && s[*pos] >= '0' && s[*pos] <= '9') {
    *v = *v * 10 + (s[*pos] - '0');
    ++*pos;
  }
  return *pos - start >= min;
}

bool Take(std::string_view s, size_t* pos, char c) {
  if (*pos < s.size() && s[*pos] == c) {
    ++*pos;
    return true;
  }
  return false;
}

// "Z" | "z" | ("+" | "-") hh [":"] mm
bool ReadZone(std::string_view s, size_t* pos, int* offset_minutes) {
  if (Take(s, pos, 'Z') || Take(s, pos, 'z')) {
    *offset_minutes = 0;
    return true;
  }
  int sign = Take(s, pos, '+') ? 1 : Take(s, pos, '-') ? -1 : 0;
  int64_t h, m;
  if (sign == 0 || !ReadDigits(s, pos, 2, 2, &h)) return false;
  Take(s, pos, ':');
  if (!ReadDigits(s, pos, 2, 2, &m) || h > 23 || m > 59) return false;
  *offset_minutes = sign * static_cast<int>(h * 60 + m);
  return true;
}

}  // namespace

std::optional<Iso8601Fields> ParseIso8601Fields(std::string_view s, Iso8601Grammar grammar) {
  const bool lenient = grammar == Iso8601Grammar::kLenient;
  Iso8601Fields f;
  size_t pos = 0;
  int64_t v;
  bool negative = lenient && Take(s, &pos, '-');
  if (!ReadDigits(s, &pos, 4, lenient ? 6 : 4, &v)) return std::nullopt;
  f.year = negative ? -v : v;
  bool has_month = Take(s, &pos, '-');
  if (has_month) {
    if (!ReadDigits(s, &pos, 2, 2, &v)) return std::nullopt;
    f.month = static_cast<int>(v);
  }
  bool has_day = has_month && Take(s, &pos, '-');
  if (has_day) {
    if (!ReadDigits(s, &pos, 2, 2, &v)) return std::nullopt;
    f.day = static_cast<int>(v);
  }
  if (!lenient && !has_day) return std::nullopt;
  if (Take(s, &pos, 'T') || Take(s, &pos, 't') || Take(s, &pos, ' ')) {
    if (!ReadDigits(s, &pos, 2, 2, &v)) return std::nullopt;
    f.hour = static_cast<int>(v);
    bool has_minute = Take(s, &pos, ':');
    if (!lenient && !has_minute) return std::nullopt;
    if (has_minute) {
      if (!ReadDigits(s, &pos, 2, 2, &v)) return std::nullopt;
      f.minute = static_cast<int>(v);
      if (Take(s, &pos, ':')) {
        if (!ReadDigits(s, &pos, 2, 2, &v)) return std::nullopt;
        f.second = static_cast<int>(v);
        if (Take(s, &pos, '.') || Take(s, &pos, ',')) {
          size_t start = pos;
          int ms = 0;
          for (; pos < s.size() && s[pos] >= '0' && s[pos] <= '9'; ++pos) {
            if (pos - start < 3) ms = ms * 10 + (s[pos] - '0');
          }
          if (pos == start) return std::nullopt;
          for (size_t n = pos - start; n < 3; ++n) ms *= 10;
          f.millisecond = ms;
        }
      }
    }
    if (pos < s.size() && !ReadZone(s, &pos, &f.offset_minutes)) return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.day > 31 || f.hour > 23 || f.minute > 59 ||
      f.second > 60) {
    return std::nullopt;
  }
  return f;
}

int64_t EpochMsOf(const Iso8601Fields& f) {
  int64_t days = DaysFromCivil(f.year, f.month, f.day);
  return days * 86'400'000 + f.hour * 3'600'000LL + f.minute * 60'000LL + f.second * 1000LL +
         f.millisecond - f.offset_minutes * 60'000LL;
}

std::optional<int64_t> ParseIso8601(std::string_view text) {
  std::optional<Iso8601Fields> f = ParseIso8601Fields(text);
  if (!f) return std::nullopt;
  return EpochMsOf(*f);
}

}  // namespace opsflow::base
