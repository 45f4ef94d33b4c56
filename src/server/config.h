// The `serve` configuration file (YAML, read with yaml-cpp) and the environment variables of
// the serve flags. Every serve flag `--some-flag` may be given as the environment variable
// OPSFLOW_SOME_FLAG and as the key `some-flag:` in the file given by --config/OPSFLOW_CONFIG.
// Precedence: flag > environment > file > built-in default. CLI11 stays out of this header.
// Thread-safety: plain functions; call them before any thread starts.
#pragma once

#include <string>

#include "base/status.h"

namespace CLI {
class App;
}  // namespace CLI

namespace opsflow::server {

// The environment variable of a flag: "max-body-bytes" -> "OPSFLOW_MAX_BODY_BYTES".
std::string EnvNameOf(const std::string& flag);

// Gives every long option of `app` that has no environment variable yet its EnvNameOf name.
void SetDefaultEnvNames(CLI::App& app);

// Reads the YAML mapping in `path` and gives each key's value to the option of that name in
// `app`, unless the option was already set by a flag or its environment variable (call after
// app.parse()). Values are checked by the option itself (type, range). Fails with a sentence
// naming the file and the key when the file cannot be read or parsed, when a key names no option
// (or is `config`), or when a value is rejected.
base::Status ApplyConfigFile(CLI::App& app, const std::string& path);

// As ApplyConfigFile, from YAML text (`origin` names it in messages).
base::Status ApplyConfigText(CLI::App& app, const std::string& text, const std::string& origin);

}  // namespace opsflow::server
