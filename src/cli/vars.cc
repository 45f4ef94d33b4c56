#include "cli/vars.h"

#include <boost/json.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "json/parse.h"

namespace opsflow::cli {

namespace bj = boost::json;

base::Status ParseVarArg(std::string_view arg, std::string* key, bj::value* value) {
  size_t eq = arg.find('=');
  if (eq == std::string_view::npos) {
    return base::InvalidArgument("--var '" + std::string(arg) + "' must have the form key=value");
  }
  if (eq == 0) {
    return base::InvalidArgument("--var '" + std::string(arg) + "' has an empty key");
  }
  *key = std::string(arg.substr(0, eq));
  std::string_view text = arg.substr(eq + 1);
  auto parsed = json::Parse(text);
  if (parsed.ok() && !text.empty()) {
    *value = std::move(parsed).value();
  } else {
    *value = bj::string(text);
  }
  return base::Status::Ok();
}

base::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return base::InvalidArgument("Cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return base::InvalidArgument("Cannot read " + path);
  return ss.str();
}

base::Result<bj::object> LoadVarsFile(const std::string& path) {
  OPSFLOW_ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto parsed = json::Parse(text);
  if (!parsed.ok()) {
    return base::InvalidArgument(path + " is not valid JSON: " + parsed.status().message());
  }
  if (!parsed->is_object()) {
    return base::InvalidArgument(path + " must hold a JSON object of job variables");
  }
  return std::move(parsed->as_object());
}

base::Result<bj::object> BuildVariables(const std::string& vars_file,
                                        const std::vector<std::string>& var_args) {
  bj::object vars;
  if (!vars_file.empty()) {
    OPSFLOW_ASSIGN_OR_RETURN(vars, LoadVarsFile(vars_file));
  }
  for (const std::string& arg : var_args) {
    std::string key;
    bj::value value;
    OPSFLOW_RETURN_IF_ERROR(ParseVarArg(arg, &key, &value));
    vars[key] = std::move(value);
  }
  return vars;
}

}  // namespace opsflow::cli
