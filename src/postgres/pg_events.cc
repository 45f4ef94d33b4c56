// PgEventFeed (pg_events.h): LISTEN/NOTIFY on one dedicated connection, driven by one thread.
#include "postgres/pg_events.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <random>

#include "base/log.h"

namespace opsflow::postgres {
namespace {

constexpr size_t kBatchMessages = 2000;   // messages taken from the queue per round
constexpr size_t kNotifiesPerStatement = 16;
constexpr int64_t kHousekeepMs = 10000;

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string NewSender() {
  std::random_device rd;
  uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd() ^ static_cast<uint64_t>(getpid());
  char buf[17];
  snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string Hex(uint64_t v) {
  char buf[17];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, 16);
  return std::string(buf, r.ptr);
}

std::string Trimmed(const char* msg) {
  std::string s = msg ? msg : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

namespace feed_wire {

std::vector<Notification> Pack(const std::string& sender, uint64_t* counter,
                               const std::vector<std::string>& messages, size_t max_bytes) {
  std::vector<Notification> out;
  std::string cur;  // the inline notification being filled ("" when none)
  auto header = [&](char kind) { return sender + "." + Hex((*counter)++) + kind; };
  auto flush = [&] {
    if (cur.empty()) return;
    out.push_back(Notification{false, std::move(cur), {}});
    cur.clear();
  };
  for (const std::string& m : messages) {
    std::string framed = std::to_string(m.size()) + ":" + m;
    // The longest header: sender, '.', 16 hex digits, kind.
    if (sender.size() + 18 + framed.size() > max_bytes) {
      flush();
      out.push_back(Notification{true, header('T'), m});
      continue;
    }
    if (!cur.empty() && cur.size() + framed.size() > max_bytes) flush();
    if (cur.empty()) cur = header('M');
    cur += framed;
  }
  flush();
  return out;
}

bool Unpack(std::string_view p, Unpacked* out) {
  size_t dot = p.find('.');
  if (dot == std::string_view::npos || dot == 0) return false;
  out->sender = std::string(p.substr(0, dot));
  size_t k = p.find_first_of("MT", dot + 1);
  if (k == std::string_view::npos) return false;
  std::string_view body = p.substr(k + 1);
  out->messages.clear();
  if (p[k] == 'T') {
    out->table = true;
    auto r = std::from_chars(body.data(), body.data() + body.size(), out->row_id);
    return r.ec == std::errc() && r.ptr == body.data() + body.size();
  }
  out->table = false;
  while (!body.empty()) {
    size_t len = 0;
    auto r = std::from_chars(body.data(), body.data() + body.size(), len);
    if (r.ec != std::errc() || r.ptr == body.data() + body.size() || *r.ptr != ':') return false;
    size_t start = static_cast<size_t>(r.ptr - body.data()) + 1;
    if (body.size() - start < len) return false;
    out->messages.emplace_back(body.substr(start, len));
    body.remove_prefix(start + len);
  }
  return true;
}

}  // namespace feed_wire

struct PgEventFeed::Conn {
  PGconn* c = nullptr;
  ~Conn() {
    if (c) PQfinish(c);
  }
  bool Bad() const { return PQstatus(c) != CONNECTION_OK; }
  // Runs `sql`; nullptr (and `*err`) on failure.
  PGresult* Exec(const std::string& sql, const std::vector<std::string>& params, std::string* err) {
    std::vector<const char*> p;
    p.reserve(params.size());
    for (const std::string& s : params) p.push_back(s.c_str());
    PGresult* r = PQexecParams(c, sql.c_str(), static_cast<int>(p.size()), nullptr, p.data(),
                               nullptr, nullptr, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
    *err = Trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(c));
    if (err->empty()) *err = Trimmed(PQerrorMessage(c));
    PQclear(r);
    return nullptr;
  }
};

PgEventFeed::PgEventFeed(std::string url, PgEventFeedOptions opts)
    : url_(std::move(url)), opts_(std::move(opts)), sender_(NewSender()) {}

PgEventFeed::~PgEventFeed() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void PgEventFeed::Publish(std::string message) {
  if (!started_.load(std::memory_order_acquire) || stop_.load(std::memory_order_acquire)) return;
  {
    std::lock_guard<std::mutex> l(mu_);
    queue_.push_back(std::move(message));
    if (queue_.size() > opts_.max_queued) {
      queue_.pop_front();
      if (!dropped_logged_) {
        dropped_logged_ = true;
        base::LogWarn("event feed: too many events waiting for PostgreSQL; dropping the oldest");
      }
    }
  }
  Wake();
}

base::Status PgEventFeed::Start(OnMessage on_message, OnGap on_gap) {
  if (started_.load()) return base::Status();
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) return base::Internal("event feed: eventfd failed");
  on_message_ = std::move(on_message);
  on_gap_ = std::move(on_gap);
  started_.store(true, std::memory_order_release);
  thread_ = std::thread([this] { Loop(); });
  return base::Status();
}

void PgEventFeed::Stop() {
  if (!thread_.joinable()) return;
  stop_.store(true, std::memory_order_release);
  Wake();
  thread_.join();
}

void PgEventFeed::Wake() {
  if (wake_fd_ < 0) return;
  uint64_t one = 1;
  ssize_t n = write(wake_fd_, &one, sizeof(one));
  (void)n;
}

void PgEventFeed::WaitWake(int timeout_ms) {
  pollfd p{wake_fd_, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) > 0) {
    uint64_t v;
    ssize_t n = read(wake_fd_, &v, sizeof(v));
    (void)n;
  }
}

bool PgEventFeed::Connect() {
  auto conn = std::make_unique<Conn>();
  conn->c = PQconnectdb(url_.c_str());
  std::string err;
  bool ok = conn->c != nullptr && !conn->Bad();
  if (!ok) {
    err = conn->c ? Trimmed(PQerrorMessage(conn->c)) : "out of memory";
  } else {
    PQsetNoticeProcessor(conn->c, [](void*, const char*) {}, nullptr);
    char* ident = PQescapeIdentifier(conn->c, opts_.channel.c_str(), opts_.channel.size());
    std::string listen = std::string("LISTEN ") + (ident ? ident : "opsflow_events");
    PQfreemem(ident);
    for (const std::string& sql : {std::string("SET synchronous_commit = off"), listen}) {
      PGresult* r = conn->Exec(sql, {}, &err);
      if (!r) {
        ok = false;
        break;
      }
      PQclear(r);
    }
  }
  if (!ok) {
    if (!outage_logged_) {
      outage_logged_ = true;
      base::LogWarn("event feed: cannot listen on PostgreSQL; trying again each second",
                    "\"error\":\"" + base::JsonEscape(err) + "\"");
    }
    return false;
  }
  conn_ = std::move(conn);
  outage_logged_ = false;
  if (ever_connected_) {
    base::LogInfo(
        "event feed: listening on PostgreSQL again; other processes' events sent while the "
        "connection was down were missed");
    if (on_gap_) on_gap_();
    reconnects_.fetch_add(1, std::memory_order_relaxed);
  } else {
    base::LogInfo("event feed: listening on PostgreSQL",
                  "\"channel\":\"" + base::JsonEscape(opts_.channel) + "\"");
  }
  ever_connected_ = true;
  connected_.store(true, std::memory_order_release);
  return true;
}

bool PgEventFeed::SendQueued() {
  while (true) {
    std::vector<std::string> batch;
    {
      std::lock_guard<std::mutex> l(mu_);
      while (!queue_.empty() && batch.size() < kBatchMessages) {
        batch.push_back(queue_.front());  // copied: they stay queued until sent
        queue_.pop_front();
      }
      dropped_logged_ = false;
    }
    if (batch.empty()) return true;
    std::vector<feed_wire::Notification> ns =
        feed_wire::Pack(sender_, &counter_, batch, opts_.max_notify_bytes);
    size_t i = 0;
    std::string err;
    bool failed = false;
    while (i < ns.size() && !failed) {
      std::vector<std::string> params{opts_.channel};
      std::string sql;
      if (ns[i].table) {
        params.push_back(ns[i].body);
        params.push_back(ns[i].payload);
        sql = "WITH e AS (INSERT INTO opsflow_events (payload) VALUES ($2) RETURNING id) "
              "SELECT pg_notify($1, $3 || e.id) FROM e";
        ++i;
        inserted_ = true;
      } else {
        sql = "SELECT ";
        for (size_t n = 0; i < ns.size() && !ns[i].table && n < kNotifiesPerStatement; ++i, ++n) {
          params.push_back(ns[i].payload);
          sql += (n ? ",pg_notify($1,$" : "pg_notify($1,$") + std::to_string(params.size()) + ")";
        }
      }
      PGresult* r = conn_->Exec(sql, params, &err);
      if (r) {
        PQclear(r);
      } else {
        failed = true;
      }
    }
    if (!failed) continue;
    if (conn_->Bad()) {
      // Sent again after the reconnect (from the first of this batch: some may go out twice).
      std::lock_guard<std::mutex> l(mu_);
      for (auto it = batch.rbegin(); it != batch.rend(); ++it) queue_.push_front(std::move(*it));
      return false;
    }
    base::LogWarn("event feed: PostgreSQL refused events; dropped",
                  "\"error\":\"" + base::JsonEscape(err) + "\",\"events\":" +
                      std::to_string(batch.size()));
  }
}

bool PgEventFeed::ReadNotifications() {
  if (PQconsumeInput(conn_->c) == 0) return false;
  std::vector<std::string> payloads;
  while (PGnotify* n = PQnotifies(conn_->c)) {
    payloads.emplace_back(n->extra ? n->extra : "");
    PQfreemem(n);
  }
  for (const std::string& p : payloads) Deliver(p);
  return !conn_->Bad();
}

void PgEventFeed::Deliver(std::string_view payload) {
  feed_wire::Unpacked u;
  if (!feed_wire::Unpack(payload, &u) || u.sender == sender_) return;
  if (!u.table) {
    for (const std::string& m : u.messages) {
      if (on_message_) on_message_(m);
    }
    return;
  }
  std::string err;
  PGresult* r = conn_->Exec("SELECT payload FROM opsflow_events WHERE id = $1",
                            {std::to_string(u.row_id)}, &err);
  if (!r) {
    if (!conn_->Bad()) {
      base::LogWarn("event feed: cannot read an event", "\"error\":\"" + base::JsonEscape(err) + "\"");
    }
    return;
  }
  if (PQntuples(r) == 1) {
    std::string m(PQgetvalue(r, 0, 0), static_cast<size_t>(PQgetlength(r, 0, 0)));
    PQclear(r);
    if (on_message_) on_message_(m);
    return;
  }
  PQclear(r);
  base::LogWarn("event feed: an event was deleted before it was read",
                "\"id\":" + std::to_string(u.row_id));
}

void PgEventFeed::Housekeep() {
  int64_t now = SteadyMs();
  if (!inserted_ || now < next_housekeep_ms_) return;
  next_housekeep_ms_ = now + kHousekeepMs;
  inserted_ = false;
  std::string err;
  PGresult* r = conn_->Exec(
      "DELETE FROM opsflow_events WHERE created < clock_timestamp() - $1::bigint * interval '1 "
      "millisecond'",
      {std::to_string(opts_.keep_rows_ms)}, &err);
  if (r) {
    PQclear(r);
  } else {
    inserted_ = true;  // again next time
  }
}

void PgEventFeed::Loop() {
  while (!stop_.load(std::memory_order_acquire)) {
    if (!conn_ && !Connect()) {
      WaitWake(static_cast<int>(opts_.retry_ms));
      continue;
    }
    if (SendQueued() && ReadNotifications()) {
      Housekeep();
      pollfd p[2] = {{PQsocket(conn_->c), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
      if (poll(p, 2, 1000) >= 0 && (p[1].revents & POLLIN)) {
        uint64_t v;
        ssize_t n = read(wake_fd_, &v, sizeof(v));
        (void)n;
      }
      if (!(p[0].revents & (POLLERR | POLLHUP | POLLNVAL))) continue;
      if (ReadNotifications()) continue;
    }
    base::LogWarn("event feed: lost the connection to PostgreSQL; reconnecting",
                  "\"error\":\"" + base::JsonEscape(Trimmed(PQerrorMessage(conn_->c))) + "\"");
    conn_.reset();
    connected_.store(false, std::memory_order_release);
  }
  if (conn_) SendQueued();  // the last events of this process
  conn_.reset();
  connected_.store(false, std::memory_order_release);
}

}  // namespace opsflow::postgres
