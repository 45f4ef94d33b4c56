#include "sqlite/backup.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iterator>

#include "sqlite/migrations.h"

namespace opsflow::sqlite {

namespace {

// One connection, closed on scope exit.
class Db {
 public:
  Db() = default;
  ~Db() {
    if (db_) sqlite3_close(db_);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  base::Status Open(const std::string& path, int flags) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      return base::Unavailable("Cannot open '" + path + "': " + Error());
    }
    sqlite3_busy_timeout(db_, 10000);
    return base::Status::Ok();
  }
  sqlite3* get() const { return db_; }
  std::string Error() const { return db_ ? sqlite3_errmsg(db_) : "out of memory"; }

  base::Status Exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : Error();
      sqlite3_free(err);
      return base::Internal(std::string("SQLite: ") + sql + ": " + msg);
    }
    return base::Status::Ok();
  }

  // The first column of the first row of `sql` as text ("" when there is no row).
  base::Result<std::string> Text(const char* sql) {
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &q, nullptr) != SQLITE_OK) {
      return base::Internal(std::string("SQLite: ") + sql + ": " + Error());
    }
    std::string out;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      return base::Internal(std::string("SQLite: ") + sql + ": " + Error());
    }
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_size) : 0;
}

base::Status SyncFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::Internal("Cannot open '" + path + "' to sync it: " + strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return base::Internal("Cannot sync '" + path + "': " + strerror(errno));
  return base::Status::Ok();
}

// Copies every page of `from` into `to` in one step (one read transaction on `from`).
base::Status CopyPages(Db& from, Db& to, const std::string& what) {
  sqlite3_backup* b = sqlite3_backup_init(to.get(), "main", from.get(), "main");
  if (b == nullptr) return base::Internal("Cannot start the " + what + ": " + to.Error());
  int rc = sqlite3_backup_step(b, -1);
  sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) {
    return base::Internal("The " + what + " failed: " + std::string(sqlite3_errstr(rc)));
  }
  return base::Status::Ok();
}

base::Result<BackupInfo> Describe(Db& db, const std::string& file) {
  BackupInfo info;
  OPSFLOW_ASSIGN_OR_RETURN(std::string version, db.Text("PRAGMA user_version"));
  info.schema_version = std::atoi(version.c_str());
  OPSFLOW_ASSIGN_OR_RETURN(std::string jobs, db.Text("SELECT count(*) FROM jobs"));
  info.jobs = std::atoll(jobs.c_str());
  info.bytes = FileSize(file);
  return info;
}

base::Status Rename(const std::string& from, const std::string& to) {
  if (std::rename(from.c_str(), to.c_str()) != 0) {
    return base::Internal("Cannot rename '" + from + "' to '" + to + "': " + strerror(errno));
  }
  return base::Status::Ok();
}

}  // namespace

std::string StoreFile(const std::string& data_dir) { return data_dir + "/opsflow.db"; }

base::Result<BackupInfo> BackupStore(const std::string& data_dir, const std::string& to_file) {
  const std::string store = StoreFile(data_dir);
  if (!Exists(store)) return base::NotFound("There is no opsflow store at '" + store + "'");
  if (Exists(to_file)) {
    return base::AlreadyExists("'" + to_file + "' exists; remove it or choose another name");
  }
  const std::string partial = to_file + ".partial";
  std::remove(partial.c_str());
  BackupInfo info;
  {
    Db from;
    // Read-write (never written): a read-only connection could not join the WAL of a server.
    OPSFLOW_RETURN_IF_ERROR(from.Open(store, SQLITE_OPEN_READWRITE));
    Db to;
    OPSFLOW_RETURN_IF_ERROR(to.Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    base::Status st = CopyPages(from, to, "backup of '" + store + "'");
    // The copy keeps the store's WAL mode; make the backup one self-contained file.
    if (st.ok()) st = to.Exec("PRAGMA journal_mode=DELETE");
    if (st.ok()) {
      auto described = Describe(to, partial);
      if (described.ok()) info = *described;
      st = described.status();
    }
    if (!st.ok()) {
      std::remove(partial.c_str());
      return st;
    }
  }
  OPSFLOW_RETURN_IF_ERROR(SyncFile(partial));
  OPSFLOW_RETURN_IF_ERROR(Rename(partial, to_file));
  info.bytes = FileSize(to_file);
  return info;
}

base::Result<BackupInfo> RestoreStore(const std::string& backup_file, const std::string& data_dir,
                                      bool replace, std::string* moved_to) {
  if (!Exists(backup_file)) return base::NotFound("There is no file '" + backup_file + "'");
  Db from;
  OPSFLOW_RETURN_IF_ERROR(from.Open(backup_file, SQLITE_OPEN_READONLY));
  auto check = from.Text("PRAGMA quick_check");
  if (!check.ok() || *check != "ok") {
    return base::InvalidArgument("'" + backup_file + "' is not a sound SQLite database" +
                                 (check.ok() ? ": " + *check : ""));
  }
  auto info = Describe(from, backup_file);
  if (!info.ok()) {
    return base::InvalidArgument("'" + backup_file + "' is not an opsflow store backup");
  }
  const int known = static_cast<int>(std::size(kMigrations));
  if (info->schema_version > known) {
    return base::FailedPrecondition("'" + backup_file + "' was written by a newer opsflow (schema " +
                                    std::to_string(info->schema_version) + ", this build knows " +
                                    std::to_string(known) + ")");
  }
  if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::Unavailable("Cannot create the data directory '" + data_dir +
                             "': " + strerror(errno));
  }
  const std::string store = StoreFile(data_dir);
  if (Exists(store)) {
    if (!replace) {
      return base::AlreadyExists("'" + store +
                                 "' exists; stop the server and give --force to replace it (the "
                                 "current store is kept beside it)");
    }
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const std::string aside = store + ".before-restore-" + std::to_string(ms);
    OPSFLOW_RETURN_IF_ERROR(Rename(store, aside));
    for (const char* suffix : {"-wal", "-shm"}) {
      if (Exists(store + suffix)) OPSFLOW_RETURN_IF_ERROR(Rename(store + suffix, aside + suffix));
    }
    if (moved_to) *moved_to = aside;
  }
  const std::string partial = store + ".restoring";
  std::remove(partial.c_str());
  {
    Db to;
    OPSFLOW_RETURN_IF_ERROR(to.Open(partial, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
    base::Status st = CopyPages(from, to, "restore of '" + backup_file + "'");
    if (st.ok()) st = to.Exec("PRAGMA journal_mode=DELETE");  // no -wal beside the partial file
    if (!st.ok()) {
      std::remove(partial.c_str());
      return st;
    }
  }
  OPSFLOW_RETURN_IF_ERROR(SyncFile(partial));
  OPSFLOW_RETURN_IF_ERROR(Rename(partial, store));  // the server sets WAL mode when it opens it
  info->bytes = FileSize(store);
  return info;
}

base::Result<ServeLock> ServeLock::Acquire(const std::string& data_dir) {
  if (mkdir(data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return base::Unavailable("Cannot create the data directory '" + data_dir +
                             "': " + strerror(errno));
  }
  const std::string path = data_dir + "/serve.lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return base::Unavailable("Cannot open '" + path + "': " + strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK) {
      return base::Unavailable("An opsflow server is running on '" + data_dir + "' (" + path +
                               " is locked)");
    }
    return base::Unavailable("Cannot lock '" + path + "': " + strerror(err));
  }
  return ServeLock(fd);
}

ServeLock::~ServeLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace opsflow::sqlite
