#include "server/import_archive.h"

#include <cstdlib>

#include "sqlite/archive.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::server {

int RunImportArchive(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const char* env = std::getenv("OPSFLOW_DATA");
  std::string data = env && *env ? env : "./data";
  std::vector<std::string> files;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--data" && i + 1 < args.size()) {
      data = args[++i];
    } else if (args[i] == "--help" || args[i] == "-h") {
      out << "usage: opsflow import-archive FILE... [--data DIR]\n"
             "Reads retention archive files (opsflow-archive-YYYY-MM-DD.jsonl.gz) into the store "
             "in DIR (default $OPSFLOW_DATA or ./data); jobs already there are skipped.\n";
      return 0;
    } else if (!args[i].empty() && args[i][0] == '-') {
      err << "opsflow import-archive: unknown option " << args[i]
          << " (usage: opsflow import-archive FILE... [--data DIR])\n";
      return 2;
    } else {
      files.push_back(args[i]);
    }
  }
  if (files.empty()) {
    err << "opsflow import-archive: name at least one archive file "
           "(usage: opsflow import-archive FILE... [--data DIR])\n";
    return 2;
  }
  auto store = sqlite::SqliteStore::Open(data);
  if (!store.ok()) {
    err << "opsflow import-archive: " << store.status().message() << "\n";
    return 1;
  }
  for (const std::string& f : files) {
    size_t n = 0;
    if (auto st = sqlite::ImportArchive(f, store->get(), &n); !st.ok()) {
      err << "opsflow import-archive: " << st.message() << " (" << n
          << " jobs of it imported before)\n";
      return 1;
    }
    out << f << ": " << n << " jobs imported into " << data << "\n";
  }
  return 0;
}

}  // namespace opsflow::server
