// Job variables given on the command line: `--var k=v` and `--vars file.json`.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace opsflow::cli {

// Splits "k=v" at the first '='; v is read as JSON when it parses as JSON ("3", "true",
// "{\"a\":1}", "\"quoted\""), otherwise kept as the string itself. InvalidArgument without '='
// or with an empty key.
base::Status ParseVarArg(std::string_view arg, std::string* key, boost::json::value* value);

// Reads a JSON object from `path` (the --vars file).
base::Result<boost::json::object> LoadVarsFile(const std::string& path);

// The variables object for a job start: the --vars file (if any), then each --var on top.
base::Result<boost::json::object> BuildVariables(const std::string& vars_file,
                                                 const std::vector<std::string>& var_args);

// Reads a whole file. InvalidArgument naming the path when it cannot be read.
base::Result<std::string> ReadFile(const std::string& path);

}  // namespace opsflow::cli
