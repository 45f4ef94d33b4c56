// Logging facade: structured JSON lines on stderr. Never pass secrets here.
// Thread-safety: safe from any thread.
#pragma once

#include <string>
#include <string_view>

namespace opsflow::base {

enum class LogLevel { kDebug, kInfo, kWarn, kError };

void SetLogLevel(LogLevel level);
// Writes {"ts":..., "level":..., "msg":..., <fields_json members>} as one line.
// `fields_json` is either empty or a JSON object's members without braces ("\"k\":1").
void Log(LogLevel level, std::string_view msg, std::string_view fields_json = {});

inline void LogInfo(std::string_view msg, std::string_view f = {}) { Log(LogLevel::kInfo, msg, f); }
inline void LogWarn(std::string_view msg, std::string_view f = {}) { Log(LogLevel::kWarn, msg, f); }
inline void LogError(std::string_view msg, std::string_view f = {}) {
  Log(LogLevel::kError, msg, f);
}

// Escapes `s` as the inside of a JSON string.
std::string JsonEscape(std::string_view s);

}  // namespace opsflow::base
