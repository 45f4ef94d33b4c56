// The process's metrics, rendered as Prometheus text (GET /metrics). Port-free: the runtime, the
// store and the API record events with one call each; the server adds gauges read at scrape time.
//
// Hot path: a counter is a relaxed atomic add; a histogram finds its bucket among fixed bounds
// and does two relaxed adds; a labelled series is found in a fixed open-addressed table without
// locks (the label text is copied once, when the series first appears). A family holds a bounded
// number of series; label values past that count under the value "_other".
// Thread-safety: every method is safe from any thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace opsflow::base::metrics {

class Counter {
 public:
  void Inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

// Bucket upper bounds, ascending (at most Histogram::kMaxBuckets).
using Bounds = std::vector<double>;
const Bounds& SecondsBounds();  // 0.5 ms .. 60 s
const Bounds& RowsBounds();     // 1 .. 5000

class Histogram {
 public:
  static constexpr size_t kMaxBuckets = 20;
  explicit Histogram(const Bounds* bounds = &SecondsBounds()) : bounds_(bounds) {}
  void Observe(double v);
  const Bounds& bounds() const { return *bounds_; }
  // Per-bucket (not cumulative) counts; the last one is +Inf.
  uint64_t Bucket(size_t i) const { return buckets_[i].load(std::memory_order_relaxed); }
  uint64_t Count() const { return count_.load(std::memory_order_relaxed); }
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  const Bounds* bounds_;
  std::array<std::atomic<uint64_t>, kMaxBuckets + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

// Series of one metric by label values (1 to 3 labels), at most `capacity` of them.
template <typename T>
class Family {
 public:
  Family(std::string name, std::string help, std::vector<std::string> labels, size_t capacity,
         const Bounds* bounds = nullptr);
  ~Family();
  Family(const Family&) = delete;
  Family& operator=(const Family&) = delete;
  // The series for these label values (as many as the family has labels).
  T& At(std::initializer_list<std::string_view> values);
  // Appends the family in Prometheus text format.
  void Render(std::string* out) const;

 private:
  struct Slot {
    std::atomic<const std::string*> key{nullptr};  // label values joined by '\0'
    std::unique_ptr<T> metric;
  };
  std::string name_, help_;
  std::vector<std::string> labels_;
  size_t capacity_;
  std::unique_ptr<Slot[]> slots_;  // capacity_ + 1; the last holds "_other"
};

using CounterFamily = Family<Counter>;
using HistogramFamily = Family<Histogram>;

// Every metric opsflow records. Names follow Prometheus' conventions (`_total` counters,
// `_seconds` durations, base units).
struct Metrics {
  Metrics();
  CounterFamily jobs_started;       // opsflow_jobs_started_total{workflow}
  CounterFamily jobs_finished;      // opsflow_jobs_finished_total{workflow,status}
  CounterFamily task_runs;          // opsflow_task_runs_total{method,status}
  HistogramFamily task_duration;    // opsflow_task_duration_seconds{method}
  Counter adapter_tasks_leased;     // opsflow_adapter_tasks_leased_total
  Counter adapter_tasks_expired;    // opsflow_adapter_tasks_expired_total
  CounterFamily trigger_runs;       // opsflow_trigger_runs_total{type}
  Histogram store_commit_seconds;   // opsflow_store_commit_seconds
  Histogram store_commit_rows;      // opsflow_store_commit_rows
  CounterFamily http_requests;      // opsflow_http_requests_total{route,method,code}
  HistogramFamily http_duration;    // opsflow_http_request_duration_seconds{route,method}
  std::atomic<int64_t> event_streams_open{0};  // opsflow_event_streams_open
};

// The process-wide metrics.
Metrics& Get();

// One-line hooks for the runtime.
// A new job of `workflow` started.
void JobStarted(std::string_view workflow);
// A job of `workflow` changed to `status`: counted when that is complete, canceled or error.
void JobStatusChanged(std::string_view workflow, std::string_view status);
// A task run of `method` ended with `status` after `ms` milliseconds.
void TaskEnded(std::string_view method, std::string_view status, int64_t ms);

// A gauge read when the metrics are rendered (e.g. jobs running, from the runtime). `name` must
// be a valid metric name; registering a name again replaces the earlier one.
void SetGauge(const std::string& name, const std::string& help, std::function<double()> read);
// Drops every gauge registered with SetGauge (the server, before its services go away).
void ClearGauges();

// Every metric in Prometheus text format 0.0.4, with process memory and threads.
std::string Render();

// Seconds since `t0_ns` (a steady-clock reading from NowNs()).
int64_t NowNs();
inline double SecondsSince(int64_t t0_ns) { return static_cast<double>(NowNs() - t0_ns) / 1e9; }

}  // namespace opsflow::base::metrics
