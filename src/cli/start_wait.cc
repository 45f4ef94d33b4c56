#include "cli/start_wait.h"

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <set>
#include <thread>

#include "cli/events_command.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::cli {
namespace {

namespace bj = boost::json;
using Clock = std::chrono::steady_clock;

bool IsActive(const std::string& status) { return status == "running" || status == "paused"; }

bool Ends(std::string_view topic) {
  return topic == "jobComplete" || topic == "jobError" || topic == "jobCancel";
}

base::Result<bj::value> ReadJob(ApiClient& client, const std::string& id) {
  OPSFLOW_ASSIGN_OR_RETURN(bj::value reply,
                           client.Call("GET", "/operations-manager/jobs/" + UrlEncode(id)));
  if (reply.is_object()) {
    if (const bj::value* d = reply.as_object().if_contains("data")) return *d;
  }
  return reply;
}

// What the progress line says, kept from the job document and the events.
struct Progress {
  std::string status;
  size_t total = 0;
  std::set<std::string> done;  // task ids complete
  std::string running;         // the task that started last and has not finished
  std::string running_id;

  void FromDocument(const bj::value& job) {
    status = job.is_object() ? json::StringField(job.as_object(), "status") : "";
    const bj::value* tasks = job.is_object() ? job.as_object().if_contains("tasks") : nullptr;
    if (!tasks || !tasks->is_object()) return;
    total = tasks->as_object().size();
    for (const auto& [tid, t] : tasks->as_object()) {
      if (!t.is_object()) continue;
      std::string st = json::StringField(t.as_object(), "status");
      if (st == "complete") done.insert(std::string(tid));
      if (st == "running") {
        running_id = tid;
        running = json::StringField(t.as_object(), "summary", json::StringField(t.as_object(), "name"));
      }
    }
  }
};

}  // namespace

std::string ProgressLine(const std::string& id, const std::string& status, size_t done,
                         size_t total, const std::string& running, double seconds) {
  char elapsed[32];
  std::snprintf(elapsed, sizeof elapsed, "%.1f s", seconds);
  std::string line = "job " + id + ": " + status + " (";
  if (total > 0) line += std::to_string(done) + "/" + std::to_string(total) + " tasks done, ";
  if (!running.empty() && status == "running") line += "running: " + running + ", ";
  return line + elapsed + ")";
}

base::Result<bj::value> WaitForJob(ApiClient& client, const std::string& id, std::ostream& err) {
  const Clock::time_point t0 = Clock::now();
  std::mutex mu;
  std::condition_variable cv;
  bool opened = false, ended = false, stream_done = false;
  Progress p;
  std::string last_line;
  // REQUIRES: mu held. Prints the line when it changed (the elapsed time alone does not count).
  auto report = [&] {
    std::string key = p.status + std::to_string(p.done.size()) + "/" + p.running;
    if (key == last_line) return;
    last_line = key;
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    err << ProgressLine(id, p.status, p.done.size(), p.total, p.running, s) << "\n" << std::flush;
  };
  std::atomic<bool> cancel{false};
  std::thread stream([&] {
    (void)StreamEvents(
        client.settings(), EventsPath({id}, {}),
        [&] {
          std::lock_guard<std::mutex> l(mu);
          opened = true;
          cv.notify_all();
        },
        [&](std::string_view topic, std::string_view data) {
          auto doc = json::Parse(data);
          if (!doc.ok() || !doc->is_object()) return true;
          const bj::object& e = doc->as_object();
          if (json::StringField(e, "jobId") != id) return true;  // a child's event
          std::lock_guard<std::mutex> l(mu);
          std::string task = json::StringField(e, "taskId");
          if (topic == "taskStart") {
            p.running_id = task;
            p.running = json::StringField(e, "taskName", task);
          } else if (topic == "taskComplete") {
            if (json::StringField(e, "status") == "complete") p.done.insert(task);
            if (p.running_id == task) p.running.clear();
          } else if (!json::StringField(e, "status").empty()) {
            p.status = json::StringField(e, "status");
          }
          if (opened) report();
          if (!Ends(topic)) return true;
          ended = true;
          cv.notify_all();
          return false;
        },
        cancel);
    std::lock_guard<std::mutex> l(mu);
    stream_done = true;
    cv.notify_all();
  });
  auto stop_stream = [&] {
    cancel = true;
    stream.join();
  };
  {
    std::unique_lock<std::mutex> l(mu);
    cv.wait_for(l, std::chrono::seconds(15), [&] { return opened || stream_done; });
  }
  // The baseline, read once the stream exists (or without one).
  auto job = ReadJob(client, id);
  if (!job.ok()) {
    stop_stream();
    return job.status();
  }
  {
    std::unique_lock<std::mutex> l(mu);
    p.FromDocument(*job);
    report();
    if (IsActive(p.status) && opened) {
      cv.wait(l, [&] { return ended || stream_done; });
    }
  }
  stop_stream();
  // Without a stream (or after it dropped): read the job every second until it ends.
  for (;;) {
    job = ReadJob(client, id);
    if (!job.ok()) return job.status();
    std::lock_guard<std::mutex> l(mu);
    p.done.clear();
    p.FromDocument(*job);
    report();
    if (!IsActive(p.status)) return *job;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace opsflow::cli
