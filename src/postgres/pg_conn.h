// Thin RAII wrappers over libpq for this module's own use: a query result, the parameters of a
// statement (sent as text), and one connection that prepares its statements lazily, by name.
// Thread-safety: none; a Conn is used by one thread at a time (PostgresStore's pool hands it
// out).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

struct pg_conn;
struct pg_result;

namespace opsflow::postgres {

// One result set; cells read as text (NULL reads as "" or 0).
class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* r) : r_(r) {}
  ~PgResult();
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&& o) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;

  int rows() const;
  // The number of rows an INSERT/UPDATE/DELETE touched.
  int64_t affected() const;
  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;
  int64_t Int(int row, int col) const;
  double Real(int row, int col) const;

 private:
  pg_result* r_ = nullptr;
};

// The parameters $1, $2, ... of one statement, in text form; nullopt is SQL NULL.
class Params {
 public:
  Params& Add(std::string_view s) {
    vals_.emplace_back(std::string(s));
    return *this;
  }
  Params& Add(const char* s) { return Add(std::string_view(s)); }
  Params& Add(int64_t v) {
    vals_.emplace_back(std::to_string(v));
    return *this;
  }
  Params& Add(double v);
  Params& AddNull() {
    vals_.emplace_back(std::nullopt);
    return *this;
  }
  // 0 (not set) is NULL, as the SQLite store writes times that did not happen.
  Params& AddMs(int64_t v) { return v == 0 ? AddNull() : Add(v); }
  Params& AddOpt(const std::optional<std::string>& v) { return v ? Add(*v) : AddNull(); }
  int size() const { return static_cast<int>(vals_.size()); }
  // Pointers into this object, valid until it changes.
  std::vector<const char*> Pointers() const;

 private:
  std::vector<std::optional<std::string>> vals_;
};

// The text of a one-dimensional PostgreSQL array parameter ('{"a","b",NULL}'), for statements
// that take many rows at once through unnest($1::text[], ...). Elements are quoted and escaped,
// so any text (JSON included) passes unchanged.
class ArrayParam {
 public:
  ArrayParam& Add(std::string_view s);
  ArrayParam& Add(int64_t v) { return Add(std::string_view(std::to_string(v))); }
  ArrayParam& Add(double v);  // the shortest text that reads back as the same double
  ArrayParam& AddNull();
  // 0 (not set) is NULL, as Params::AddMs.
  ArrayParam& AddMs(int64_t v) { return v == 0 ? AddNull() : Add(v); }
  ArrayParam& AddOpt(const std::optional<std::string>& v) { return v ? Add(*v) : AddNull(); }
  // The literal; the builder is empty afterwards.
  std::string Take();

 private:
  void Separator() { text_.push_back(text_.empty() ? '{' : ','); }
  std::string text_;
};

// One statement of a pipeline (Conn::Pipeline).
struct Queued {
  const char* name;  // prepared statement name
  const char* sql;   // its text, prepared on first use
  Params params;
};

class Conn {
 public:
  // Every session ends a transaction left idle this long (Conn::SetUpSession).
  static constexpr int64_t kIdleInTransactionMs = 5000;
  // Connects to `url` (a postgres:// URI or a libpq keyword string).
  static base::Result<std::unique_ptr<Conn>> Open(const std::string& url);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Exec, Query and Run send a statement once more on a fresh session when the server had
  // dropped the connection and no transaction was open (it did not run).
  // Runs `sql` (one or more statements, no parameters).
  base::Status Exec(const std::string& sql);
  // Runs one statement with parameters (unnamed, planned each time).
  base::Result<PgResult> Query(const std::string& sql, const Params& p = Params());
  // Runs the statement `name` (prepared on this connection the first time with `sql`).
  base::Result<PgResult> Run(const char* name, const char* sql, const Params& p = Params());
  // Runs `stmts` in libpq's pipeline mode, preceded by BEGIN when `begin` and followed by
  // COMMIT when `commit`: the statements go out without waiting for each other's replies (a
  // sync every few hundred, so neither side's buffers fill), and the call returns once the last
  // is answered. `results` (when given) receives each statement's result, by index. On an error
  // the statements after it do nothing and nothing is committed; an open transaction is left for
  // the caller to roll back, and the connection is reset when its state is unclear.
  base::Status Pipeline(const std::vector<Queued>& stmts, bool begin, bool commit,
                        std::vector<PgResult>* results);
  // True when the connection is gone (the server went away): Reset() before using it again.
  bool Broken() const;
  // True when a transaction is open or failed on this connection.
  bool InTransaction() const;
  // Reconnects; the prepared statements are prepared again on their next use.
  base::Status Reset();
  // The SQLSTATE of the last failed statement ("" when none).
  const std::string& last_sqlstate() const { return sqlstate_; }

 private:
  explicit Conn(pg_conn* c) : c_(c) {}
  base::Status SetUpSession();
  base::Result<PgResult> Check(pg_result* r);
  template <typename Send>
  base::Result<PgResult> Retrying(Send send);
  base::Status Prepare(const char* name, const char* sql, int n_params);
  // Sends stmts[begin, end) (plus BEGIN first / COMMIT last when asked), a sync, and reads the
  // replies.
  base::Status SendChunk(const std::vector<Queued>& stmts, size_t begin, size_t end, bool first,
                         bool last, std::vector<PgResult>* results);

  pg_conn* c_;
  std::set<std::string, std::less<>> prepared_;
  std::string sqlstate_;
};

}  // namespace opsflow::postgres
