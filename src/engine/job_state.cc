#include "engine/job_state.h"

#include <charconv>

namespace opsflow::engine {

const char* JobStatusName(JobStatus s) {
  switch (s) {
    case JobStatus::kRunning:
      return "running";
    case JobStatus::kPaused:
      return "paused";
    case JobStatus::kComplete:
      return "complete";
    case JobStatus::kError:
      return "error";
    case JobStatus::kCanceled:
      return "canceled";
  }
  return "running";
}

bool ParseJobStatus(std::string_view s, JobStatus* out) {
  for (JobStatus st : {JobStatus::kRunning, JobStatus::kPaused, JobStatus::kComplete,
                       JobStatus::kError, JobStatus::kCanceled}) {
    if (s == JobStatusName(st)) {
      *out = st;
      return true;
    }
  }
  return false;
}

const char* TaskStatusName(TaskStatus s) {
  switch (s) {
    case TaskStatus::kIncomplete:
      return "incomplete";
    case TaskStatus::kScheduled:
      return "scheduled";
    case TaskStatus::kRunning:
      return "running";
    case TaskStatus::kComplete:
      return "complete";
    case TaskStatus::kError:
      return "error";
    case TaskStatus::kCanceled:
      return "canceled";
  }
  return "incomplete";
}

JobState JobState::ForWorkflow(const model::Workflow& wf) {
  JobState s;
  s.tasks.resize(wf.tasks().size());
  s.edges.assign(wf.edges().size(), EdgeState::kUndecided);
  return s;
}

double JobState::Progress() const {
  if (status == JobStatus::kComplete) return 1.0;
  if (tasks.empty()) return 0.0;
  size_t done = 0;
  for (const TaskState& t : tasks) {
    if (t.dead || t.status == TaskStatus::kComplete || t.status == TaskStatus::kError) ++done;
  }
  return static_cast<double>(done) / static_cast<double>(tasks.size());
}

// Format: "<job status digit>|<tasks>|<edges>" where each task is
// "<status><finish><dead>,<runs>,<retries>,<start>,<end>,<due>,<loop index>;" and each edge
// one digit; a paused job's state ends with "|<paused ms>,<paused by>" (absent otherwise, and in
// states written before it existed).
std::string EncodeState(const JobState& s) {
  std::string out;
  out.reserve(8 + s.tasks.size() * 24 + s.edges.size());
  out.push_back(static_cast<char>('0' + static_cast<int>(s.status)));
  out.push_back('|');
  for (const TaskState& t : s.tasks) {
    out.push_back(static_cast<char>('0' + static_cast<int>(t.status)));
    out.push_back(static_cast<char>('0' + static_cast<int>(t.finish)));
    out.push_back(t.dead ? '1' : '0');
    for (int64_t v : {int64_t(t.runs), int64_t(t.retries), t.start_ms, t.end_ms, t.due_ms,
                      int64_t(t.loop_index)}) {
      out.push_back(',');
      out += std::to_string(v);
    }
    out.push_back(';');
  }
  out.push_back('|');
  for (EdgeState e : s.edges) out.push_back(static_cast<char>('0' + static_cast<int>(e)));
  if (s.paused_ms > 0) {
    out.push_back('|');
    out += std::to_string(s.paused_ms);
    out.push_back(',');
    out += s.paused_by;  // the last field: any text
  }
  return out;
}

namespace {

bool ReadInt(std::string_view& in, int64_t* v) {
  if (in.empty() || in[0] != ',') return false;
  in.remove_prefix(1);
  auto r = std::from_chars(in.data(), in.data() + in.size(), *v);
  if (r.ec != std::errc()) return false;
  in.remove_prefix(static_cast<size_t>(r.ptr - in.data()));
  return true;
}

bool Digit(char c, int max, int* out) {
  if (c < '0' || c > '0' + max) return false;
  *out = c - '0';
  return true;
}

}  // namespace

base::Result<JobState> DecodeState(std::string_view in) {
  auto bad = [] { return base::Internal("corrupt job state encoding"); };
  JobState s;
  int d;
  if (in.size() < 3 || !Digit(in[0], 4, &d) || in[1] != '|') return bad();
  s.status = static_cast<JobStatus>(d);
  in.remove_prefix(2);
  while (!in.empty() && in[0] != '|') {
    TaskState t;
    int st, fin;
    if (in.size() < 3 || !Digit(in[0], 5, &st) || !Digit(in[1], 4, &fin)) return bad();
    t.status = static_cast<TaskStatus>(st);
    t.finish = static_cast<model::FinishState>(fin);
    t.dead = in[2] == '1';
    in.remove_prefix(3);
    int64_t runs, retries, loop_index;
    if (!ReadInt(in, &runs) || !ReadInt(in, &retries) || !ReadInt(in, &t.start_ms) ||
        !ReadInt(in, &t.end_ms) || !ReadInt(in, &t.due_ms) || !ReadInt(in, &loop_index) ||
        in.empty() || in[0] != ';') {
      return bad();
    }
    t.loop_index = static_cast<uint32_t>(loop_index);
    t.runs = static_cast<uint32_t>(runs);
    t.retries = static_cast<uint32_t>(retries);
    in.remove_prefix(1);
    s.tasks.push_back(t);
  }
  if (in.empty()) return bad();
  in.remove_prefix(1);
  while (!in.empty() && in[0] != '|') {
    if (!Digit(in[0], 2, &d)) return bad();
    s.edges.push_back(static_cast<EdgeState>(d));
    in.remove_prefix(1);
  }
  if (!in.empty()) {
    in.remove_prefix(1);
    auto r = std::from_chars(in.data(), in.data() + in.size(), s.paused_ms);
    if (r.ec != std::errc() || r.ptr == in.data() + in.size() || *r.ptr != ',') return bad();
    in.remove_prefix(static_cast<size_t>(r.ptr - in.data()) + 1);
    s.paused_by = std::string(in);
  }
  return s;
}

}  // namespace opsflow::engine
