// Online backup and restore of the embedded store (DIR/opsflow.db) with SQLite's backup API.
// A backup copies every page inside one read transaction, so it is a consistent snapshot even
// while a server writes (WAL mode: the writer is never blocked); it holds the whole store (jobs,
// workflows, accounts, triggers...) but not the secret key, which is a separate file or variable.
// Thread-safety: plain functions; each opens its own connections.
#pragma once

#include <cstdint>
#include <string>

#include "base/status.h"

namespace opsflow::sqlite {

// What a backup or a restore copied.
struct BackupInfo {
  int64_t bytes = 0;       // size of the written file
  int64_t jobs = 0;        // rows of the jobs table
  int schema_version = 0;  // PRAGMA user_version
};

// The store file of a data directory.
std::string StoreFile(const std::string& data_dir);

// Copies the store of `data_dir` to `to_file` (written to `to_file`.partial, synced, then
// renamed; a self-contained file in rollback-journal mode). Fails when there is no store, when
// `to_file` exists, or on any SQLite error.
base::Result<BackupInfo> BackupStore(const std::string& data_dir, const std::string& to_file);

// Checks `backup_file` (an opsflow store that passes PRAGMA quick_check and that this build can
// open) and copies it to the store file of `data_dir` (created if needed), in WAL mode. An
// existing store is refused unless `replace`, then moved aside to `<store>.before-restore-<ms>`
// (with its -wal and -shm files) and `*moved_to` names it. The caller makes sure no server runs
// on `data_dir` (see ServeLock).
base::Result<BackupInfo> RestoreStore(const std::string& backup_file, const std::string& data_dir,
                                      bool replace, std::string* moved_to);

// An exclusive advisory lock on `data_dir`/serve.lock (flock), held by `opsflow serve` for its
// lifetime so that a restore, or a second server, cannot take the data directory from under it.
// Released when the process exits, however it exits.
class ServeLock {
 public:
  // Unavailable, with a sentence, when another process holds it.
  static base::Result<ServeLock> Acquire(const std::string& data_dir);
  ServeLock(ServeLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  ServeLock& operator=(ServeLock&&) = delete;
  ServeLock(const ServeLock&) = delete;
  ~ServeLock();

 private:
  explicit ServeLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace opsflow::sqlite
