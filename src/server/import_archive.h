// `opsflow import-archive FILE... [--data DIR]`: reads retention archive files
// (sqlite/archive.h) back into a data directory's store, for investigation. A local command
// like backup/restore, not a REST client. README "Retention and archive".
// Thread-safety: run from main only.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace opsflow::server {

// args[0] is "import-archive". Returns the exit code (0 done, 1 failed, 2 usage).
int RunImportArchive(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace opsflow::server
