// `opsflow backup` and `opsflow restore`: local commands on a data directory (not REST
// clients), so they live beside `serve`. README "Backup and restore".
// Thread-safety: run from main only.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace opsflow::server {

// args[0] is "backup" or "restore". Returns the exit code (0 done, 1 failed, 2 usage).
int RunBackupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::server
