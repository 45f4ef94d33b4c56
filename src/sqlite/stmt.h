// A small RAII wrapper over sqlite3_stmt for this module's own use.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::sqlite {

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    rc_ = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr);
  }
  ~Stmt() { sqlite3_finalize(st_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  base::Status status() const {
    if (rc_ == SQLITE_OK) return base::Status::Ok();
    return base::Internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
  }
  Stmt& Bind(int i, std::string_view s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // Binds without copying. REQUIRES: `s` outlives the next Step()/Reset().
  Stmt& BindRef(int i, std::string_view s) {
    sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Stmt& Bind(int i, double v) {
    sqlite3_bind_double(st_, i, v);
    return *this;
  }
  Stmt& BindNull(int i) {
    sqlite3_bind_null(st_, i);
    return *this;
  }
  Stmt& BindMs(int i, int64_t v) { return v == 0 ? BindNull(i) : Bind(i, v); }
  // SQLITE_ROW -> true; SQLITE_DONE -> false; errors are remembered in rc().
  bool Step() {
    rc_ = sqlite3_step(st_);
    return rc_ == SQLITE_ROW;
  }
  base::Status Done() {
    if (rc_ == SQLITE_DONE || rc_ == SQLITE_ROW || rc_ == SQLITE_OK) return base::Status::Ok();
    return base::Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
  }
  void Reset() {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(st_, col);
    return t ? std::string(reinterpret_cast<const char*>(t),
                           static_cast<size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  double Real(int col) const { return sqlite3_column_double(st_, col); }
  sqlite3_stmt* raw() { return st_; }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
  int rc_ = SQLITE_OK;
};

}  // namespace opsflow::sqlite
