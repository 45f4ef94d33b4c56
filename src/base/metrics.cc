#include "base/metrics.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <mutex>
#include <type_traits>

namespace opsflow::base::metrics {
namespace {

constexpr std::string_view kOther = "_other";

uint64_t HashKey(std::initializer_list<std::string_view> values) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (std::string_view v : values) {
    for (char c : v) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    h = (h ^ 0xffu) * 1099511628211ull;
  }
  return h;
}

bool KeyEquals(const std::string& key, std::initializer_list<std::string_view> values) {
  size_t pos = 0;
  bool first = true;
  for (std::string_view v : values) {
    if (!first) {
      if (pos >= key.size() || key[pos] != '\0') return false;
      ++pos;
    }
    first = false;
    if (key.compare(pos, v.size(), v) != 0) return false;
    pos += v.size();
  }
  return pos == key.size();
}

std::string JoinKey(std::initializer_list<std::string_view> values) {
  std::string key;
  bool first = true;
  for (std::string_view v : values) {
    if (!first) key += '\0';
    first = false;
    key += v;
  }
  return key;
}

void AppendEscaped(std::string* out, std::string_view v) {
  for (char c : v) {
    if (c == '\\')
      *out += "\\\\";
    else if (c == '"')
      *out += "\\\"";
    else if (c == '\n')
      *out += "\\n";
    else
      *out += c;
  }
}

void AppendNumber(std::string* out, double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  *out += buf;
}

void AppendHeader(std::string* out, const std::string& name, const std::string& help,
                  const char* type) {
  *out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

// `{a="x",b="y"` (no closing brace) for a key of values joined by '\0'.
std::string LabelText(const std::vector<std::string>& labels, const std::string& key) {
  std::string out = "{";
  size_t start = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    size_t end = key.find('\0', start);
    if (end == std::string::npos) end = key.size();
    if (i) out += ",";
    out += labels[i] + "=\"";
    AppendEscaped(&out, std::string_view(key).substr(start, end - start));
    out += "\"";
    start = end + 1;
  }
  return out;
}

// `labels` as LabelText gives it, closed; "" when there are none.
std::string Closed(const std::string& labels) { return labels == "{" ? "" : labels + "}"; }

void RenderSeries(std::string* out, const std::string& name, const std::string& labels,
                  const Counter& c) {
  *out += name + Closed(labels) + " " + std::to_string(c.Value()) + "\n";
}

void RenderSeries(std::string* out, const std::string& name, const std::string& labels,
                  const Histogram& h) {
  uint64_t cumulative = 0;
  std::string sep = labels.size() > 1 ? "," : "";
  for (size_t i = 0; i <= h.bounds().size(); ++i) {
    cumulative += h.Bucket(i);
    *out += name + "_bucket" + labels + sep + "le=\"";
    if (i < h.bounds().size())
      AppendNumber(out, h.bounds()[i]);
    else
      *out += "+Inf";
    *out += "\"} " + std::to_string(cumulative) + "\n";
  }
  *out += name + "_sum" + Closed(labels) + " ";
  AppendNumber(out, h.Sum());
  *out += "\n" + name + "_count" + Closed(labels) + " " + std::to_string(h.Count()) + "\n";
}

template <typename T>
std::unique_ptr<T> MakeMetric(const Bounds* bounds) {
  if constexpr (std::is_same_v<T, Histogram>) {
    return std::make_unique<Histogram>(bounds ? bounds : &SecondsBounds());
  } else {
    (void)bounds;
    return std::make_unique<T>();
  }
}

struct Gauge {
  std::string help;
  std::function<double()> read;
};

std::mutex gauges_mu;
std::map<std::string, Gauge>& Gauges() {
  static auto* g = new std::map<std::string, Gauge>();
  return *g;
}

// VmRSS (bytes) and Threads from /proc/self/status; -1 when unknown.
void ProcessStatus(double* rss_bytes, double* threads) {
  *rss_bytes = -1;
  *threads = -1;
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("VmRSS:", 0) == 0) *rss_bytes = std::stod(line.substr(6)) * 1024.0;
    if (line.rfind("Threads:", 0) == 0) *threads = std::stod(line.substr(8));
  }
}

}  // namespace

const Bounds& SecondsBounds() {
  static const Bounds b = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                           0.25,   0.5,   1,      2.5,   5,    10,    30,    60};
  return b;
}

const Bounds& RowsBounds() {
  static const Bounds b = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000};
  return b;
}

void Histogram::Observe(double v) {
  size_t i = 0;
  const Bounds& b = *bounds_;
  while (i < b.size() && v > b[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

template <typename T>
Family<T>::Family(std::string name, std::string help, std::vector<std::string> labels,
                  size_t capacity, const Bounds* bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      labels_(std::move(labels)),
      capacity_(capacity),
      slots_(new Slot[capacity + 1]) {
  for (size_t i = 0; i <= capacity_; ++i) slots_[i].metric = MakeMetric<T>(bounds);
  std::string other;
  for (size_t i = 0; i < labels_.size(); ++i) {
    other += (i ? std::string(1, '\0') : "") + std::string(kOther);
  }
  slots_[capacity_].key.store(new std::string(other), std::memory_order_release);
}

template <typename T>
Family<T>::~Family() {
  for (size_t i = 0; i <= capacity_; ++i) delete slots_[i].key.load();
}

template <typename T>
T& Family<T>::At(std::initializer_list<std::string_view> values) {
  size_t start = HashKey(values) % capacity_;
  for (size_t n = 0; n < capacity_; ++n) {
    Slot& s = slots_[(start + n) % capacity_];
    const std::string* key = s.key.load(std::memory_order_acquire);
    if (!key) {
      // First use of these values: publish a copy of the key (once per series).
      auto* mine = new std::string(JoinKey(values));
      if (s.key.compare_exchange_strong(key, mine, std::memory_order_acq_rel)) return *s.metric;
      delete mine;  // another thread took the slot; `key` now holds its key
    }
    if (KeyEquals(*key, values)) return *s.metric;
  }
  return *slots_[capacity_].metric;
}

template <typename T>
void Family<T>::Render(std::string* out) const {
  AppendHeader(out, name_, help_, std::is_same_v<T, Histogram> ? "histogram" : "counter");
  for (size_t i = 0; i <= capacity_; ++i) {
    const std::string* key = slots_[i].key.load(std::memory_order_acquire);
    if (!key) continue;
    if constexpr (std::is_same_v<T, Histogram>) {
      if (slots_[i].metric->Count() == 0) continue;
    } else {
      if (slots_[i].metric->Value() == 0) continue;
    }
    RenderSeries(out, name_, LabelText(labels_, *key), *slots_[i].metric);
  }
}

template class Family<Counter>;
template class Family<Histogram>;

Metrics::Metrics()
    : jobs_started("opsflow_jobs_started_total", "Jobs started, by workflow.", {"workflow"}, 512),
      jobs_finished("opsflow_jobs_finished_total",
                    "Jobs that reached complete, canceled or error, by workflow and status.",
                    {"workflow", "status"}, 1024),
      task_runs("opsflow_task_runs_total", "Task runs that ended, by task method and status.",
                {"method", "status"}, 1024),
      task_duration("opsflow_task_duration_seconds", "Task run durations, by task method.",
                    {"method"}, 512),
      trigger_runs("opsflow_trigger_runs_total", "Trigger runs that started a job, by type.",
                   {"type"}, 16),
      store_commit_seconds(&SecondsBounds()),
      store_commit_rows(&RowsBounds()),
      http_requests("opsflow_http_requests_total",
                    "HTTP requests answered, by route template, method and status code.",
                    {"route", "method", "code"}, 2048),
      http_duration("opsflow_http_request_duration_seconds",
                    "HTTP request durations until the response head, by route template.",
                    {"route", "method"}, 512) {}

Metrics& Get() {
  static auto* m = new Metrics();  // never destroyed: threads may record while the process exits
  return *m;
}

void JobStarted(std::string_view workflow) { Get().jobs_started.At({workflow}).Inc(); }

void JobStatusChanged(std::string_view workflow, std::string_view status) {
  if (status == "complete" || status == "canceled" || status == "error") {
    Get().jobs_finished.At({workflow, status}).Inc();
  }
}

void TaskEnded(std::string_view method, std::string_view status, int64_t ms) {
  Metrics& m = Get();
  m.task_runs.At({method, status}).Inc();
  m.task_duration.At({method}).Observe(static_cast<double>(ms < 0 ? 0 : ms) / 1000.0);
}

void SetGauge(const std::string& name, const std::string& help, std::function<double()> read) {
  std::lock_guard<std::mutex> l(gauges_mu);
  Gauges()[name] = Gauge{help, std::move(read)};
}

void ClearGauges() {
  std::lock_guard<std::mutex> l(gauges_mu);
  Gauges().clear();
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string Render() {
  Metrics& m = Get();
  std::string out;
  out.reserve(16384);
  m.jobs_started.Render(&out);
  m.jobs_finished.Render(&out);
  m.task_runs.Render(&out);
  m.task_duration.Render(&out);
  auto counter = [&](const char* name, const char* help, const Counter& c) {
    AppendHeader(&out, name, help, "counter");
    out += std::string(name) + " " + std::to_string(c.Value()) + "\n";
  };
  counter("opsflow_adapter_tasks_leased_total", "Adapter tasks handed to a worker.",
          m.adapter_tasks_leased);
  counter("opsflow_adapter_tasks_expired_total",
          "Adapter tasks whose lease or deadline ran out.", m.adapter_tasks_expired);
  m.trigger_runs.Render(&out);
  AppendHeader(&out, "opsflow_store_commit_seconds", "Store group commit latency.", "histogram");
  RenderSeries(&out, "opsflow_store_commit_seconds", "{", m.store_commit_seconds);
  AppendHeader(&out, "opsflow_store_commit_rows", "Rows written per store group commit.",
               "histogram");
  RenderSeries(&out, "opsflow_store_commit_rows", "{", m.store_commit_rows);
  m.http_requests.Render(&out);
  m.http_duration.Render(&out);
  auto gauge = [&](const std::string& name, const std::string& help, double v) {
    AppendHeader(&out, name, help, "gauge");
    out += name + " ";
    AppendNumber(&out, v);
    out += "\n";
  };
  gauge("opsflow_event_streams_open", "Event streams (GET /operations-manager/events) open.",
        static_cast<double>(m.event_streams_open.load(std::memory_order_relaxed)));
  {
    std::lock_guard<std::mutex> l(gauges_mu);
    for (const auto& [name, g] : Gauges()) gauge(name, g.help, g.read());
  }
  double rss, threads;
  ProcessStatus(&rss, &threads);
  if (rss >= 0) gauge("opsflow_process_resident_memory_bytes", "Resident memory (VmRSS).", rss);
  if (threads >= 0) gauge("opsflow_process_threads", "Threads of the process.", threads);
  return out;
}

}  // namespace opsflow::base::metrics
