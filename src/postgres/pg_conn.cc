#include "postgres/pg_conn.h"

#include <libpq-fe.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <utility>

namespace opsflow::postgres {

PgResult::~PgResult() { PQclear(r_); }

PgResult& PgResult::operator=(PgResult&& o) noexcept {
  if (this != &o) {
    PQclear(r_);
    r_ = o.r_;
    o.r_ = nullptr;
  }
  return *this;
}

int PgResult::rows() const { return r_ ? PQntuples(r_) : 0; }

int64_t PgResult::affected() const {
  const char* n = r_ ? PQcmdTuples(r_) : "";
  return *n ? std::strtoll(n, nullptr, 10) : 0;
}

bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) != 0; }

std::string PgResult::Text(int row, int col) const {
  if (IsNull(row, col)) return std::string();
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

int64_t PgResult::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* v = PQgetvalue(r_, row, col);
  int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_, row, col), out);
  return out;
}

double PgResult::Real(int row, int col) const {
  if (IsNull(row, col)) return 0;
  const char* v = PQgetvalue(r_, row, col);
  double out = 0;
  std::from_chars(v, v + PQgetlength(r_, row, col), out);
  return out;
}

Params& Params::Add(double v) {
  // The shortest text that reads back as the same double.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  vals_.emplace_back(std::string(buf, r.ptr));
  return *this;
}

ArrayParam& ArrayParam::Add(std::string_view s) {
  Separator();
  text_.push_back('"');
  for (char ch : s) {
    if (ch == '"' || ch == '\\') text_.push_back('\\');
    text_.push_back(ch);
  }
  text_.push_back('"');
  return *this;
}

ArrayParam& ArrayParam::Add(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return Add(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

ArrayParam& ArrayParam::AddNull() {
  Separator();
  text_ += "NULL";
  return *this;
}

std::string ArrayParam::Take() {
  if (text_.empty()) text_.push_back('{');
  text_.push_back('}');
  return std::exchange(text_, std::string());
}

std::vector<const char*> Params::Pointers() const {
  std::vector<const char*> out;
  out.reserve(vals_.size());
  for (const auto& v : vals_) out.push_back(v ? v->c_str() : nullptr);
  return out;
}

base::Result<std::unique_ptr<Conn>> Conn::Open(const std::string& url) {
  PGconn* c = PQconnectdb(url.c_str());
  if (c == nullptr) return base::Unavailable("postgres: out of memory");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string msg = PQerrorMessage(c);
    PQfinish(c);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return base::Unavailable("cannot connect to PostgreSQL: " + msg);
  }
  std::unique_ptr<Conn> conn(new Conn(c));
  // Warnings (NOTICE) would go to stderr; the store has nothing to tell there.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  OPSFLOW_RETURN_IF_ERROR(conn->SetUpSession());
  return conn;
}

// A transaction left open by a process that stopped (SIGSTOP, a machine that hangs) would hold
// its locks, and with them the lease row a takeover deletes (pg_cluster.cc kTakeOver), for as
// long as the process stays stopped: the server ends such a session after kIdleInTransactionMs.
// A live process never leaves a transaction idle for more than a few milliseconds.
base::Status Conn::SetUpSession() {
  auto r = Check(PQexec(
      c_, ("SET idle_in_transaction_session_timeout = " + std::to_string(kIdleInTransactionMs))
              .c_str()));
  return r.ok() ? base::Status::Ok() : r.status();
}

Conn::~Conn() { PQfinish(c_); }

bool Conn::Broken() const { return PQstatus(c_) != CONNECTION_OK; }

bool Conn::InTransaction() const {
  PGTransactionStatusType t = PQtransactionStatus(c_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

base::Status Conn::Reset() {
  prepared_.clear();
  PQreset(c_);
  if (PQstatus(c_) != CONNECTION_OK) {
    return base::Unavailable(std::string("cannot reconnect to PostgreSQL: ") + PQerrorMessage(c_));
  }
  return SetUpSession();
}

base::Result<PgResult> Conn::Check(pg_result* r) {
  PgResult res(r);
  ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) {
    sqlstate_.clear();
    return res;
  }
  const char* code = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  sqlstate_ = code ? code : "";
  std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(c_);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  if (Broken()) return base::Unavailable("postgres: connection lost: " + msg);
  // Class 08: connection exceptions; 57P: the server is shutting down.
  if (sqlstate_.rfind("08", 0) == 0 || sqlstate_.rfind("57P", 0) == 0) {
    return base::Unavailable("postgres: " + msg);
  }
  // OFL01: opsflow_fence (schema V0003) found this process's lease taken over.
  if (sqlstate_ == "OFL01") return base::Aborted("postgres: " + msg);
  return base::Internal("postgres: " + msg);
}

// A statement sent outside a transaction on a connection the server has dropped since its last
// use (a restart, an idle timeout, a failover) fails before it runs: reconnect and send it once
// more. Inside a transaction the failure is the caller's (the transaction is gone).
template <typename Send>
base::Result<PgResult> Conn::Retrying(Send send) {
  const bool idle = PQtransactionStatus(c_) == PQTRANS_IDLE;
  auto r = send();
  if (!r.ok() && idle && Broken() && Reset().ok()) r = send();
  return r;
}

base::Status Conn::Exec(const std::string& sql) {
  auto r = Retrying([&] { return Check(PQexec(c_, sql.c_str())); });
  return r.ok() ? base::Status::Ok() : r.status();
}

base::Result<PgResult> Conn::Query(const std::string& sql, const Params& p) {
  std::vector<const char*> v = p.Pointers();
  return Retrying([&] {
    return Check(PQexecParams(c_, sql.c_str(), p.size(), nullptr, v.data(), nullptr, nullptr, 0));
  });
}

base::Status Conn::Prepare(const char* name, const char* sql, int n_params) {
  if (prepared_.find(std::string_view(name)) != prepared_.end()) return base::Status::Ok();
  auto prep = Check(PQprepare(c_, name, sql, n_params, nullptr));
  if (!prep.ok()) return prep.status();
  prepared_.emplace(name);
  return base::Status::Ok();
}

base::Result<PgResult> Conn::Run(const char* name, const char* sql, const Params& p) {
  std::vector<const char*> v = p.Pointers();
  return Retrying([&]() -> base::Result<PgResult> {
    OPSFLOW_RETURN_IF_ERROR(Prepare(name, sql, p.size()));
    return Check(PQexecPrepared(c_, name, p.size(), v.data(), nullptr, nullptr, 0));
  });
}

namespace {

// Statements per pipeline sync: their replies (a few dozen bytes each) stay far below the socket
// buffers, so the server never blocks writing them while this side is still sending.
constexpr size_t kPipelineChunk = 256;

}  // namespace

base::Status Conn::SendChunk(const std::vector<Queued>& stmts, size_t begin, size_t end, bool first,
                             bool last, std::vector<PgResult>* results) {
  // What each reply answers: a statement's index, or -1 for BEGIN/COMMIT.
  std::vector<int64_t> slots;
  auto send_plain = [&](const char* sql) {
    slots.push_back(-1);
    return PQsendQueryParams(c_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) == 1;
  };
  bool ok = !first || send_plain("BEGIN");
  for (size_t i = begin; ok && i < end; ++i) {
    std::vector<const char*> v = stmts[i].params.Pointers();
    slots.push_back(static_cast<int64_t>(i));
    ok = PQsendQueryPrepared(c_, stmts[i].name, stmts[i].params.size(), v.data(), nullptr, nullptr,
                             0) == 1;
  }
  if (ok && last) ok = send_plain("COMMIT");
  if (ok) ok = PQpipelineSync(c_) == 1;
  if (!ok) {
    std::string msg = PQerrorMessage(c_);
    (void)Reset();  // the pipeline's state is unknown: start over on a fresh session
    return base::Unavailable("postgres: sending a batch failed: " + msg);
  }
  // One result (then a NULL) per statement, then the sync's.
  base::Status first_error;
  for (int64_t slot : slots) {
    PGresult* r = PQgetResult(c_);
    if (r == nullptr) {
      (void)Reset();
      return base::Unavailable("postgres: connection lost during a batch");
    }
    if (PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
      PQclear(r);
    } else {
      auto checked = Check(r);  // takes ownership
      if (!checked.ok()) {
        if (first_error.ok()) first_error = checked.status();
      } else if (slot >= 0 && results != nullptr) {
        (*results)[static_cast<size_t>(slot)] = std::move(checked).value();
      }
    }
    while (PGresult* extra = PQgetResult(c_)) PQclear(extra);  // the NULL that ends it
  }
  PGresult* sync = PQgetResult(c_);
  const bool synced = sync != nullptr && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
  PQclear(sync);
  if (!synced) {
    (void)Reset();
    return first_error.ok() ? base::Unavailable("postgres: batch out of step") : first_error;
  }
  return first_error;
}

base::Status Conn::Pipeline(const std::vector<Queued>& stmts, bool begin, bool commit,
                            std::vector<PgResult>* results) {
  for (const Queued& q : stmts) OPSFLOW_RETURN_IF_ERROR(Prepare(q.name, q.sql, q.params.size()));
  if (results != nullptr) {
    results->clear();
    results->resize(stmts.size());
  }
  if (stmts.empty() && !begin && !commit) return base::Status::Ok();
  if (PQenterPipelineMode(c_) != 1) return base::Internal("postgres: cannot enter pipeline mode");
  base::Status st;
  size_t i = 0;
  do {
    size_t end = std::min(stmts.size(), i + kPipelineChunk);
    st = SendChunk(stmts, i, end, begin && i == 0, commit && end == stmts.size(), results);
    i = end;
  } while (st.ok() && i < stmts.size());
  if (PQpipelineStatus(c_) != PQ_PIPELINE_OFF && PQexitPipelineMode(c_) != 1) {
    (void)Reset();
    if (st.ok()) st = base::Unavailable("postgres: cannot leave pipeline mode");
  }
  return st;
}

}  // namespace opsflow::postgres
