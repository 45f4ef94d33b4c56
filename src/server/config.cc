#include "server/config.h"

#include <yaml-cpp/yaml.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <fstream>
#include <sstream>
#include <vector>

namespace opsflow::server {

namespace {

constexpr char kConfigKey[] = "config";

base::Result<std::vector<std::string>> Values(const YAML::Node& node, const std::string& key,
                                              const std::string& origin) {
  std::vector<std::string> out;
  auto scalar = [&](const YAML::Node& n) -> base::Status {
    if (!n.IsScalar()) {
      return base::InvalidArgument(origin + ": key '" + key +
                                   "' must be a single value (or a list of single values)");
    }
    out.push_back(n.Scalar());
    return base::Status::Ok();
  };
  if (node.IsSequence()) {
    for (const auto& item : node) OPSFLOW_RETURN_IF_ERROR(scalar(item));
    if (out.empty()) return base::InvalidArgument(origin + ": key '" + key + "' has no value");
    return out;
  }
  if (node.IsNull() || !node.IsDefined()) {
    return base::InvalidArgument(origin + ": key '" + key + "' has no value");
  }
  OPSFLOW_RETURN_IF_ERROR(scalar(node));
  return out;
}

}  // namespace

std::string EnvNameOf(const std::string& flag) {
  std::string out = "OPSFLOW_";
  for (char c : flag) {
    out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out;
}

void SetDefaultEnvNames(CLI::App& app) {
  for (CLI::Option* opt : app.get_options()) {
    if (!opt->get_envname().empty() || opt->get_lnames().empty()) continue;
    const std::string& name = opt->get_lnames().front();
    if (name == "help") continue;
    opt->envname(EnvNameOf(name));
  }
}

base::Status ApplyConfigText(CLI::App& app, const std::string& text, const std::string& origin) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return base::InvalidArgument(origin + " is not valid YAML: " + e.what());
  }
  if (root.IsNull()) return base::Status::Ok();  // an empty file sets nothing
  if (!root.IsMap()) {
    return base::InvalidArgument(origin +
                                 " must be a YAML mapping of serve flags (e.g. `listen: "
                                 "0.0.0.0:3000`)");
  }
  for (const auto& item : root) {
    if (!item.first.IsScalar()) return base::InvalidArgument(origin + ": a key is not a string");
    const std::string key = item.first.Scalar();
    CLI::Option* opt = key.empty() || key == kConfigKey || key == "help" || key[0] == '-'
                           ? nullptr
                           : app.get_option_no_throw("--" + key);
    if (opt == nullptr) {
      return base::InvalidArgument(origin + ": unknown key '" + key +
                                   "' (the keys are the serve flags without their leading "
                                   "dashes, e.g. max-body-bytes; see `opsflow serve --help`)");
    }
    OPSFLOW_ASSIGN_OR_RETURN(std::vector<std::string> values, Values(item.second, key, origin));
    if (opt->count() > 0) continue;  // a flag or the environment variable wins
    if (values.size() > 1 && opt->get_items_expected_max() <= 1) {
      return base::InvalidArgument(origin + ": key '" + key + "' takes a single value");
    }
    try {
      opt->add_result(values);
      opt->run_callback();
    } catch (const CLI::Error& e) {
      std::string shown = values.size() == 1 ? values[0] : "[...]";
      return base::InvalidArgument(origin + ": bad value '" + shown + "' for key '" + key +
                                   "': " + e.what());
    }
  }
  return base::Status::Ok();
}

base::Status ApplyConfigFile(CLI::App& app, const std::string& path) {
  std::ifstream in(path);
  if (!in) return base::InvalidArgument("Cannot read the configuration file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyConfigText(app, ss.str(), "configuration file '" + path + "'");
}

}  // namespace opsflow::server
