#include "engine/engine.h"

#include <algorithm>

namespace opsflow::engine {
namespace {

using model::Edge;
using model::FinishState;
using model::Workflow;

// Back to "not reached" for a new pass (a revert or the next forEach element); its run count
// stays, so iterations keep counting.
void ResetTask(TaskState* t) {
  t->status = TaskStatus::kIncomplete;
  t->finish = FinishState::kNone;
  t->dead = false;
  t->retries = 0;
  t->due_ms = 0;
  t->loop_index = 0;
}

void Schedule(JobState* s, int task, int64_t due_ms, Decision* d) {
  TaskState& t = s->tasks[task];
  t.status = TaskStatus::kScheduled;
  t.dead = false;
  t.due_ms = due_ms;
  d->start.push_back(task);
}

// Evaluates the join of `task` after one of its incoming edges was decided; pushes tasks that
// died onto `dead` so their outgoing edges die in turn.
void EvaluateJoin(const Workflow& wf, JobState* s, int task, int64_t now_ms, Decision* d,
                  std::vector<int>* dead) {
  TaskState& t = s->tasks[task];
  if (t.status != TaskStatus::kIncomplete || t.dead) return;
  bool any_fired = false;
  for (int e : wf.tasks()[task].in_edges) {
    if (s->edges[e] == EdgeState::kUndecided) return;
    if (s->edges[e] == EdgeState::kFired) any_fired = true;
  }
  if (any_fired) {
    Schedule(s, task, now_ms, d);
  } else {
    t.dead = true;
    dead->push_back(task);
  }
}

void KillOutgoing(const Workflow& wf, JobState* s, std::vector<int> dead, int64_t now_ms,
                  Decision* d) {
  while (!dead.empty()) {
    int u = dead.back();
    dead.pop_back();
    for (int e : wf.tasks()[u].out_edges) {
      if (s->edges[e] != EdgeState::kUndecided) continue;
      s->edges[e] = EdgeState::kDead;
      if (!wf.edges()[e].revert) EvaluateJoin(wf, s, wf.edges()[e].to, now_ms, d, &dead);
    }
  }
}

// Resets the tasks between `target` and `source` (and the dead tasks downstream of them) so
// that `target` runs again as a new iteration.
void ResetLoop(const Workflow& wf, JobState* s, int target, int source) {
  size_t n = wf.tasks().size();
  std::vector<bool> in_loop(n, false);
  for (size_t x = 0; x < n; ++x) {
    in_loop[x] = wf.Reaches(target, static_cast<int>(x)) && wf.Reaches(static_cast<int>(x), source);
  }
  in_loop[target] = in_loop[source] = true;
  std::vector<int> work;
  for (size_t x = 0; x < n; ++x) {
    if (in_loop[x]) work.push_back(static_cast<int>(x));
  }
  std::vector<bool> seen(n, false);
  while (!work.empty()) {
    int x = work.back();
    work.pop_back();
    if (seen[x]) continue;
    seen[x] = true;
    ResetTask(&s->tasks[x]);
    for (int e : wf.tasks()[x].out_edges) {
      s->edges[e] = EdgeState::kUndecided;
      int to = wf.edges()[e].to;
      // Dead tasks downstream were killed by this pass; they get a new chance too.
      if (!wf.edges()[e].revert && s->tasks[to].dead) work.push_back(to);
    }
  }
}

std::vector<int> StuckTasks(const Workflow& wf, const JobState& s) {
  std::vector<int> stuck;
  for (size_t i = 0; i < wf.tasks().size(); ++i) {
    const TaskState& t = s.tasks[i];
    bool finished = t.status == TaskStatus::kComplete || t.status == TaskStatus::kError;
    if (!finished || static_cast<int>(i) == wf.end() || wf.tasks()[i].is_error_handler) continue;
    bool fired = false;
    for (int e : wf.tasks()[i].out_edges) fired |= s.edges[e] == EdgeState::kFired;
    if (!fired) stuck.push_back(static_cast<int>(i));
  }
  // Prefer the tasks that could have led to the end.
  std::vector<int> leading;
  for (int i : stuck) {
    if (wf.end() >= 0 && wf.Reaches(i, wf.end())) leading.push_back(i);
  }
  return leading.empty() ? stuck : leading;
}

void CheckEnd(const Workflow& wf, JobState* s, Decision* d) {
  if (d->job_error || s->status == JobStatus::kError) return;
  if (HasActiveTasks(*s)) return;
  bool end_done = wf.end() >= 0 && s->tasks[wf.end()].status == TaskStatus::kComplete;
  if (end_done) {
    s->status = JobStatus::kComplete;
    d->job_complete = true;
    return;
  }
  std::string names;
  for (int i : StuckTasks(wf, *s)) {
    if (!names.empty()) names += ", ";
    names += wf.tasks()[i].id;
  }
  if (names.empty()) names = "workflow_start";
  s->status = JobStatus::kError;
  d->job_error = true;
  d->error_task = "job";
  d->error_message = "Job has no available transitions. " + names +
                     " could have led to the workflow end task, but did not. These tasks "
                     "performed in a way that the end of the workflow could not be reached.";
}

bool IsActive(const TaskState& t) {
  return t.status == TaskStatus::kScheduled || t.status == TaskStatus::kRunning;
}

// forEach (SPEC §5 rule 4): the element's body starts; the loop edges fire and the other edges
// wait. The forEach stays running while its body runs.
void StartLoopElement(const Workflow& wf, JobState* s, int task, int64_t now_ms, Decision* d) {
  TaskState& t = s->tasks[task];
  t.status = TaskStatus::kRunning;
  t.finish = FinishState::kLoop;
  std::vector<int> dead;
  for (int e : wf.tasks()[task].out_edges) {
    if (wf.edges()[e].state != FinishState::kLoop) continue;
    s->edges[e] = EdgeState::kFired;
    EvaluateJoin(wf, s, wf.edges()[e].to, now_ms, d, &dead);
  }
  KillOutgoing(wf, s, std::move(dead), now_ms, d);
}

// When nothing in a looping forEach's body is active any more, the body is reset and the
// forEach runs again for its next element.
void MaybeAdvanceLoop(const Workflow& wf, JobState* s, int task, int64_t now_ms, Decision* d) {
  int f = wf.tasks()[task].loop_owner;
  if (f < 0) return;
  TaskState& ft = s->tasks[f];
  if (ft.status != TaskStatus::kRunning || ft.finish != FinishState::kLoop) return;
  const std::vector<int>& body = wf.LoopBody(f);
  for (int x : body) {
    if (IsActive(s->tasks[x])) return;
  }
  for (int x : body) {
    ResetTask(&s->tasks[x]);
    for (int e : wf.tasks()[x].out_edges) s->edges[e] = EdgeState::kUndecided;
  }
  for (int e : wf.tasks()[f].out_edges) {
    if (wf.edges()[e].state == FinishState::kLoop) s->edges[e] = EdgeState::kUndecided;
  }
  ft.loop_index += 1;
  Schedule(s, f, now_ms, d);
}

bool HasEdge(const Workflow& wf, int task, FinishState st) {
  for (int e : wf.tasks()[task].out_edges) {
    if (wf.edges()[e].state == st) return true;
  }
  return false;
}

}  // namespace

bool RevertTo(const Workflow& wf, JobState* s, int from, int to, int64_t now_ms, Decision* d) {
  if (!wf.Reaches(to, from)) return false;
  ResetLoop(wf, s, to, from);
  Schedule(s, to, now_ms, d);
  return true;
}

void ContinueFrom(JobState* s, int task, int64_t now_ms, Decision* d) {
  ResetTask(&s->tasks[task]);
  Schedule(s, task, now_ms, d);
}

bool HasActiveTasks(const JobState& s) {
  for (const TaskState& t : s.tasks) {
    if (t.status == TaskStatus::kScheduled || t.status == TaskStatus::kRunning) return true;
  }
  return false;
}

Decision StartJob(const Workflow& wf, JobState* s, int64_t now_ms) {
  Decision d;
  s->status = JobStatus::kRunning;
  if (wf.start() < 0) {
    s->status = JobStatus::kError;
    d.job_error = true;
    d.error_task = "job";
    d.error_message = "Workflow has no workflow_start task";
    return d;
  }
  Schedule(s, wf.start(), now_ms, &d);
  return d;
}

void MarkRunning(JobState* s, int task, int64_t now_ms) {
  TaskState& t = s->tasks[task];
  t.status = TaskStatus::kRunning;
  t.runs += 1;
  t.start_ms = now_ms;
  t.end_ms = 0;
  t.due_ms = 0;
}

Decision TaskFinished(const Workflow& wf, JobState* s, int task, FinishState finish, int64_t now_ms,
                      const EngineOptions& opts, const std::string& task_error) {
  Decision d;
  TaskState& t = s->tasks[task];
  const model::TaskDef& def = wf.tasks()[task];
  if (finish == FinishState::kLoop) {
    StartLoopElement(wf, s, task, now_ms, &d);
    return d;
  }
  if (def.is_for_each) t.loop_index = 0;  // the loop is over; a later pass starts afresh
  t.finish = finish;
  t.end_ms = now_ms;
  t.status = finish == FinishState::kError ? TaskStatus::kError : TaskStatus::kComplete;
  t.due_ms = 0;
  if (def.retry.auto_retry && def.retry.Applies(finish) &&
      t.retries < static_cast<uint32_t>(std::max(def.retry.limit, 0))) {
    t.retries += 1;
    Schedule(s, task, now_ms + def.retry.delay_ms, &d);
    return d;
  }
  if (def.is_error_handler) {
    // The handler ran (whatever its outcome): the job ends in error. The unhandled error is
    // already in error[]; the handler adds nothing.
    s->status = JobStatus::kError;
    d.job_error = true;
    d.error_task = def.id;
    if (finish == FinishState::kError) {
      d.error_message = task_error.empty() ? "Task " + def.id + " ended in error" : task_error;
    }
    return d;
  }
  if (finish == FinishState::kError && !HasEdge(wf, task, FinishState::kError)) {
    int eh = wf.error_handler();
    if (eh >= 0 && s->tasks[eh].status == TaskStatus::kIncomplete) {
      // SPEC §5: the workflow's errorHandler runs (once per job), then the job ends in error.
      d.error_handler_started = true;
      Schedule(s, eh, now_ms, &d);
      return d;
    }
    s->status = JobStatus::kError;
    d.job_error = true;
    d.error_task = def.id;
    d.error_message = task_error.empty() ? "Task " + def.id + " ended in error" : task_error;
    return d;
  }
  // A fired revert (or back) edge takes precedence: the loop runs again from its target.
  for (int e : def.out_edges) {
    const Edge& edge = wf.edges()[e];
    if (!edge.revert || edge.state != finish) continue;
    if (s->tasks[edge.to].runs >= opts.max_task_iterations) {
      s->status = JobStatus::kError;
      d.job_error = true;
      d.error_task = def.id;
      d.error_message = "Task " + wf.tasks()[edge.to].id + " would run more than " +
                        std::to_string(opts.max_task_iterations) + " times: the loop from " +
                        def.id + " back to " + wf.tasks()[edge.to].id +
                        " ran away (max_task_iterations)";
      return d;
    }
    ResetLoop(wf, s, edge.to, task);
    // The source's finish is kept on its completed iteration; its state now waits again.
    Schedule(s, edge.to, now_ms, &d);
    return d;
  }
  std::vector<int> dead;
  for (int e : def.out_edges) {
    const Edge& edge = wf.edges()[e];
    s->edges[e] = edge.state == finish ? EdgeState::kFired : EdgeState::kDead;
  }
  for (int e : def.out_edges) {
    const Edge& edge = wf.edges()[e];
    if (!edge.revert) EvaluateJoin(wf, s, edge.to, now_ms, &d, &dead);
  }
  KillOutgoing(wf, s, std::move(dead), now_ms, &d);
  MaybeAdvanceLoop(wf, s, task, now_ms, &d);
  CheckEnd(wf, s, &d);
  return d;
}

}  // namespace opsflow::engine
