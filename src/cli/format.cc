#include "cli/format.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <ctime>

#include "json/parse.h"

namespace opsflow::cli {

namespace bj = boost::json;

namespace {

void Pretty(const bj::value& v, const std::string& indent, std::string* out) {
  if (v.is_object() && !v.as_object().empty()) {
    out->append("{\n");
    bool first = true;
    for (const auto& [k, child] : v.as_object()) {
      if (!first) out->append(",\n");
      first = false;
      out->append(indent + "  ");
      out->append(bj::serialize(bj::value(bj::string(k))));
      out->append(": ");
      Pretty(child, indent + "  ", out);
    }
    out->append("\n" + indent + "}");
  } else if (v.is_array() && !v.as_array().empty()) {
    out->append("[\n");
    bool first = true;
    for (const bj::value& child : v.as_array()) {
      if (!first) out->append(",\n");
      first = false;
      out->append(indent + "  ");
      Pretty(child, indent + "  ", out);
    }
    out->append("\n" + indent + "]");
  } else {
    out->append(json::Serialize(v));
  }
}

}  // namespace

std::string PrettyJson(const bj::value& v, const std::string& indent) {
  std::string out;
  Pretty(v, indent, &out);
  return out;
}

std::string FormatTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FormatEpochMs(const bj::value* v) {
  if (!v || !v->is_number()) return "";
  double ms = v->to_number<double>();
  if (!(ms > 0) || !std::isfinite(ms)) return "";
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%SZ", &tm);
  return buf;
}

std::string FormatProgress(const bj::value* v) {
  if (!v || !v->is_number()) return "";
  double p = v->to_number<double>();
  if (!std::isfinite(p)) return "";
  return std::to_string(static_cast<int>(std::lround(p * 100))) + "%";
}

std::string ScalarText(const bj::value* v) {
  if (!v || v->is_null()) return "";
  if (v->is_string()) return std::string(v->as_string());
  return json::Serialize(*v);
}

}  // namespace opsflow::cli
