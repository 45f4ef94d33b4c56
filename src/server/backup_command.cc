#include "server/backup_command.h"

#include <CLI/CLI.hpp>
#include <cstdlib>

#include "cli/args.h"
#include "sqlite/backup.h"

namespace opsflow::server {

namespace {

constexpr char kKeyNote[] =
    "The secret key is not in the backup: it is OPSFLOW_SECRET_KEY, or the file given by "
    "--secret-key-file (default <data>/secret.key). Keep a copy of it apart from the backups; "
    "without it the secret job values in a restored store cannot be opened.";

std::string DefaultData() {
  const char* v = std::getenv("OPSFLOW_DATA");
  return v && *v ? v : "./data";
}

std::string Mb(int64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
  return buf;
}

int Backup(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string data = DefaultData(), to;
  CLI::App app("Copy the store of a data directory to one file, also while the server runs",
               "opsflow backup");
  app.add_option("--data", data, "data directory (OPSFLOW_DATA, default ./data)");
  app.add_option("--to", to, "the backup file to write (must not exist)")->required();
  if (int rc = cli::ParseWith(app, args, out, err); rc >= 0) return rc;
  auto info = sqlite::BackupStore(data, to);
  if (!info.ok()) {
    err << "opsflow backup: " << info.status().message() << "\n";
    return 1;
  }
  out << "backup of " << sqlite::StoreFile(data) << " written to " << to << " (" << Mb(info->bytes)
      << ", " << info->jobs << " jobs, schema " << info->schema_version << ")\n"
      << kKeyNote << "\n";
  return 0;
}

int Restore(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string data = DefaultData(), from;
  bool force = false;
  CLI::App app("Put a backup in place as the store of a data directory (the server stopped)",
               "opsflow restore");
  app.add_option("--from", from, "the backup file (from `opsflow backup`)")->required();
  app.add_option("--data", data, "data directory (OPSFLOW_DATA, default ./data)");
  app.add_flag("--force", force, "replace an existing store (it is kept beside, renamed)");
  if (int rc = cli::ParseWith(app, args, out, err); rc >= 0) return rc;
  auto lock = sqlite::ServeLock::Acquire(data);
  if (!lock.ok()) {
    err << "opsflow restore: " << lock.status().message() << "; stop it first\n";
    return 1;
  }
  std::string moved;
  auto info = sqlite::RestoreStore(from, data, force, &moved);
  if (!info.ok()) {
    err << "opsflow restore: " << info.status().message() << "\n";
    return 1;
  }
  if (!moved.empty()) out << "the previous store was moved to " << moved << "\n";
  out << "restored " << from << " into " << sqlite::StoreFile(data) << " (" << info->jobs
      << " jobs, schema " << info->schema_version << "); start the server on " << data
      << " with the secret key that was in use when the backup was taken.\n"
      << kKeyNote << "\n";
  return 0;
}

}  // namespace

int RunBackupCommand(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  if (!args.empty() && args[0] == "restore") return Restore(args, out, err);
  return Backup(args, out, err);
}

}  // namespace opsflow::server
