// Text output helpers for the command line: indented JSON, aligned tables, times.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <vector>

namespace opsflow::cli {

// JSON with two-space indentation, each line after the first prefixed by `indent`.
std::string PrettyJson(const boost::json::value& v, const std::string& indent = "");

// Columns padded to their widest cell, separated by two spaces; the first row is the header.
std::string FormatTable(const std::vector<std::vector<std::string>>& rows);

// "2024-01-02 03:04:05Z" for epoch milliseconds; "" for a non-number or 0.
std::string FormatEpochMs(const boost::json::value* v);

// A job's metrics.progress (0..1) as "40%"; "" when absent.
std::string FormatProgress(const boost::json::value* v);

// A scalar as text (strings unquoted), anything else as compact JSON; "" for null/absent.
std::string ScalarText(const boost::json::value* v);

}  // namespace opsflow::cli
