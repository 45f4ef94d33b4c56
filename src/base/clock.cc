#include "base/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace opsflow::base {

int64_t SystemClock::NowMs() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SystemClock* SystemClock::Get() {
  static SystemClock clock;
  return &clock;
}

std::string IsoTime(int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  int ms = static_cast<int>(epoch_ms % 1000);
  if (ms < 0) {
    ms += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

bool ParseIsoTime(const std::string& s, int64_t* epoch_ms) {
  int y, mo, d, h = 0, mi = 0, sec = 0, consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3) return false;
  size_t i = static_cast<size_t>(consumed);
  double frac = 0;
  int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
    int n2 = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d:%2d%n", &h, &mi, &sec, &n2) != 3) return false;
    i += 1 + static_cast<size_t>(n2);
    if (i < s.size() && s[i] == '.') {
      size_t j = i + 1;
      double scale = 0.1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') {
        frac += (s[j] - '0') * scale;
        scale /= 10;
        ++j;
      }
      i = j;
    }
    if (i < s.size() && s[i] == 'Z') {
      ++i;
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
      int oh = 0, om = 0;
      if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return false;
      offset_min = (s[i] == '+' ? 1 : -1) * (oh * 60 + om);
      i += 6;
    }
  }
  if (i != s.size()) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  int64_t secs = static_cast<int64_t>(timegm(&tm)) - offset_min * 60;
  *epoch_ms = secs * 1000 + static_cast<int64_t>(frac * 1000 + 0.5);
  return true;
}

}  // namespace opsflow::base
