// The runtime on a cluster (RuntimeOptions::cluster, store/cluster.h, README "Cluster"): the
// lease thread renews this process's lease, claims orphaned job trees and joins again after a
// loss (it sets token_ then); the runtime thread adopts what was claimed and drops everything
// when the lease is gone (it sets token_ to 0 then, and refuses new jobs until the next lease).
//
// Contract:
//  * Every group commit carries the lease token it was made under (MaybeHandOff); the store
//    refuses it (Aborted) once that lease was taken over, and nothing of it is written.
//  * A lost lease (a refused renewal or commit) drops every job in memory without writing: the
//    process that took the lease over resumes them from the store, as after a crash. Clients
//    waiting on a dropped batch get Unavailable (their request was not acknowledged).
//  * Claims made under a token that is no longer current are ignored (those jobs' owner holds no
//    lease, so they are claimed again, here or elsewhere).
#include <algorithm>

#include "json/fields.h"
#include "runtime/runtime_impl.h"

namespace opsflow::runtime {
namespace {

constexpr size_t kClaimTrees = 200;           // job trees claimed per round
constexpr int64_t kCommandPollMs = 25;        // how often commands for this process are looked for
constexpr int64_t kForwardTimeoutMs = 15000;  // a forwarded request's answer waits this long
constexpr int64_t kCountUsersMs = 1000;       // how often other processes' jobs per user are read

}  // namespace

base::Status Runtime::Impl::StartCluster() {
  auto token = opts_.cluster->Join(opts_.node_id, opts_.node_address, opts_.lease_ttl_ms);
  if (!token.ok()) return token.status();
  token_ = *token;
  // What is orphaned now is resumed before the threads start, as a single process resumes.
  while (true) {
    auto claimed = opts_.cluster->ClaimOrphans(*token, kClaimTrees);
    if (!claimed.ok()) return claimed.status();
    for (const model::JobRecord& rec : *claimed) Recover(rec);
    if (claimed->empty()) break;
  }
  base::LogInfo("joined the cluster", "\"node\":\"" + base::JsonEscape(opts_.node_id) +
                                          "\",\"token\":" + std::to_string(*token));
  return base::Status::Ok();
}

void Runtime::Impl::StopCluster() {
  {
    base::MutexLock l(&cluster_mu_);
    cluster_stop_ = true;
  }
  cluster_cv_.NotifyAll();
  if (cluster_thread_.joinable()) cluster_thread_.join();
  if (forward_thread_.joinable()) forward_thread_.join();
  std::vector<PendingCommand> left;
  {
    base::MutexLock l(&cluster_mu_);
    left.swap(forwards_);
  }
  for (PendingCommand& p : left) p.done(base::Unavailable("server is shutting down"));
}

void Runtime::Impl::ClusterLoop() {
  forward_thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "of-forward");
    while (true) {
      {
        base::MutexLock l(&cluster_mu_);
        cluster_cv_.WaitFor(&l, std::chrono::milliseconds(kCommandPollMs), [&] {
          cluster_mu_.AssertHeld();
          return cluster_stop_;
        });
        if (cluster_stop_) return;
      }
      ForwardRound();
    }
  });
  const int64_t renew_every = std::max<int64_t>(opts_.lease_ttl_ms / 3, 10);
  int64_t next_renew = clock_->NowMs() + renew_every;
  int64_t next_claim = clock_->NowMs() + opts_.claim_interval_ms;
  int64_t next_commands = clock_->NowMs() + kCommandPollMs;
  int64_t next_count = clock_->NowMs();
  int64_t lost = 0;  // the token whose loss was reported, until a new one is taken
  while (true) {
    {
      base::MutexLock l(&cluster_mu_);
      int64_t wait = std::min({next_renew, next_claim, next_commands}) - clock_->NowMs();
      if (wait > 0) {
        cluster_cv_.WaitFor(&l, std::chrono::milliseconds(wait), [&] {
          cluster_mu_.AssertHeld();
          return cluster_stop_;
        });
      }
      if (cluster_stop_) return;
    }
    const int64_t token = token_.load();
    const int64_t now = clock_->NowMs();
    if (token == 0 || token == lost) {
      // The runtime dropped its jobs (or is about to): take a new lease.
      if (token == lost && token != 0) {
        next_claim = now + 50;
        continue;
      }
      auto joined = opts_.cluster->Join(opts_.node_id, opts_.node_address, opts_.lease_ttl_ms);
      if (joined.ok()) {
        // The runtime holds no job now (it set the token to 0 after dropping them all).
        int64_t none = 0;
        token_.compare_exchange_strong(none, *joined);
        base::LogInfo("joined the cluster again", "\"token\":" + std::to_string(*joined));
        lost = 0;
        next_renew = now + renew_every;
      } else {
        base::LogError("cannot join the cluster; retrying", ErrorField(joined.status()));
      }
      next_claim = now + opts_.claim_interval_ms;
      continue;
    }
    if (now >= next_renew) {
      base::Status st = opts_.cluster->Renew(token, opts_.lease_ttl_ms,
                                             static_cast<int64_t>(active_count_.load()));
      if (st.code() == base::Code::kAborted) {
        base::LogError("lost the lease; dropping every job and joining again", ErrorField(st));
        lost = token;
        Post(LeaseLostCmd{token});
        continue;
      }
      // Another failure (the database is away): try again soon; the lease lasts its TTL.
      if (!st.ok()) base::LogError("cannot renew the lease; retrying", ErrorField(st));
      next_renew = now + (st.ok() ? renew_every : std::min<int64_t>(renew_every, 500));
    }
    if (now >= next_commands) {
      auto cmds = opts_.cluster->TakeCommands(token);
      if (cmds.ok()) {
        for (const store::Command& cmd : *cmds) RunCommand(cmd);
      }
      next_commands = now + kCommandPollMs;
    }
    if (now >= next_count) {
      auto counts = opts_.cluster->RunningRootsByUser(token);
      if (counts.ok()) {
        std::unordered_map<std::string, int64_t> others(counts->begin(), counts->end());
        base::MutexLock l(&cluster_mu_);
        others_running_.swap(others);
      }
      next_count = now + kCountUsersMs;
    }
    if (now >= next_claim) {
      auto claimed = opts_.cluster->ClaimOrphans(token, kClaimTrees);
      if (!claimed.ok()) {
        base::LogError("cannot claim orphaned jobs; retrying", ErrorField(claimed.status()));
      } else if (!claimed->empty()) {
        base::LogInfo("took over orphaned jobs", "\"count\":" + std::to_string(claimed->size()));
        Post(AdoptCmd{token, std::move(claimed).value()});
      }
      // A full round means more may wait: look again at once.
      bool more = claimed.ok() && claimed->size() >= kClaimTrees;
      next_claim = now + (more ? 0 : opts_.claim_interval_ms);
    }
  }
}

int64_t Runtime::Impl::OthersRunning(const std::string& user) {
  base::MutexLock l(&cluster_mu_);
  auto it = others_running_.find(user);
  return it == others_running_.end() ? 0 : it->second;
}

void Runtime::Impl::Handle(AdoptCmd& c) {
  if (c.token != token_.load()) return;  // claimed under a lost lease: claimed again later
  std::vector<std::string> ids;
  for (const model::JobRecord& rec : c.jobs) {
    if (jobs_.count(rec.id)) continue;
    Recover(rec);
    if (jobs_.count(rec.id)) ids.push_back(rec.id);
  }
  RunReconciles();
  for (const std::string& id : ids) {
    auto it = jobs_.find(id);
    if (it != jobs_.end()) Pump(*it->second);
  }
}

void Runtime::Impl::Handle(LeaseLostCmd& c) {
  if (c.token == 0 || c.token != token_.load()) return;  // already handled
  leases_lost_++;
  token_ = 0;
  DropAllJobs("this process lost its lease");
}

void Runtime::Impl::Handle(Fenced& c) {
  writer_busy_ = false;
  committed_seq_ = c.batch->seq;
  for (const store::WorkflowVersion& v : c.batch->wb.versions) stored_versions_.erase(v.version);
  const base::Status lost = base::Unavailable("this process lost its lease; try again");
  for (auto& [cb, snap] : c.batch->replies) {
    workers_->Submit([cb = std::move(cb), lost]() mutable { cb(lost); });
  }
  for (auto& ack : c.batch->acks) {
    workers_->Submit([ack = std::move(ack), lost] { ack(lost); });
  }
  if (c.batch->wb.fence == token_.load()) {
    LeaseLostCmd l{c.batch->wb.fence};
    Handle(l);  // the lease thread notices on its next renewal too; the first one wins
  }
}

void Runtime::Impl::DropAllJobs(const std::string& why) {
  const base::Status lost = base::Unavailable(why + "; try again");
  for (auto& [id, j] : jobs_) {
    adapters_.RemoveJob(id);
    manual_.RemoveJob(id);
  }
  const size_t dropped = jobs_.size();
  jobs_.clear();
  running_by_user_.clear();
  descendants_.clear();
  active_count_ = 0;
  timers_ = decltype(timers_)();
  reconciles_.clear();
  pending_adapter_work_.clear();
  // What was decided but not handed to the writer is never written: its waiters hear so.
  for (auto& [cb, snap] : current_->replies) {
    workers_->Submit([cb = std::move(cb), lost]() mutable { cb(lost); });
  }
  for (auto& ack : current_->acks) {
    workers_->Submit([ack = std::move(ack), lost] { ack(lost); });
  }
  for (const store::WorkflowVersion& v : current_->wb.versions) stored_versions_.erase(v.version);
  current_ = std::make_unique<Batch>();
  base::LogError("dropped every job", "\"count\":" + std::to_string(dropped) + ",\"why\":\"" +
                                          base::JsonEscape(why) + "\"");
}

base::Status Runtime::Impl::ClaimForControl(const model::JobRecord& rec) {
  if (token_.load() == 0) {
    return base::Unavailable("this process is joining the cluster again; try again in a moment");
  }
  // Running or paused jobs are driven by the process holding them (ClaimJob says which); jobs
  // in error are taken here; finished ones cannot change (CheckControlAtRest says so).
  if (rec.status != "running" && rec.status != "paused" && rec.status != "error") {
    return base::Status::Ok();
  }
  return opts_.cluster->ClaimJob(token_.load(), rec.id);
}

// ---- Commands: requests for jobs another process drives ----
//
// Body (JSON): {"op":"control","action":"pause|resume|cancel|retry|continue|revert",
// "task":..., "to":..., "variables":{...}} or {"op":"finish","task":...,"user":...,
// "finish_state":...,"variables":{...}} or {"op":"manual","change":"claim|release|assign",
// "id":...,"user":...,"by":...,"force":...} or {"op":"report","iteration":...,"lease":...,
// "outcome":<AdapterOutcome>,"outgoing":{...},"message":...}. The answer is a base::Code and a
// message.

void Runtime::Impl::ForwardControl(ControlCmd& c) {
  bj::object body{{"op", "control"},
                  {"action", engine::ControlActionName(c.action)},
                  {"task", c.task_id},
                  {"to", c.to_task}};
  if (c.variables) body["variables"] = *c.variables;
  Forward(c.job_id, bj::serialize(body), std::move(c.done));
}

void Runtime::Impl::Forward(const std::string& job_id, std::string body, DoneCallback done) {
  {
    base::MutexLock l(&cluster_mu_);
    if (!cluster_stop_) {
      forwards_.push_back(PendingCommand{job_id, std::move(body), std::move(done),
                                         clock_->NowMs() + kForwardTimeoutMs, 0});
      return;
    }
  }
  done(base::Unavailable("server is shutting down"));
}

void Runtime::Impl::ForwardRound() {
  std::vector<PendingCommand> work;
  {
    base::MutexLock l(&cluster_mu_);
    if (forwards_.empty()) return;
    work.swap(forwards_);
  }
  const int64_t now = clock_->NowMs();
  std::vector<int64_t> sent;
  std::vector<PendingCommand> keep;
  for (PendingCommand& p : work) {
    if (p.id == 0) {
      auto id = opts_.cluster->SendCommand(p.job_id, p.body);
      if (!id.ok()) {
        p.done(id.status());
        continue;
      }
      p.id = *id;
    }
    sent.push_back(p.id);
    keep.push_back(std::move(p));
  }
  std::vector<std::pair<int64_t, store::CommandReply>> replies;
  std::vector<int64_t> orphaned;
  base::Status collected =
      sent.empty() ? base::Status::Ok() : opts_.cluster->CollectReplies(sent, &replies, &orphaned);
  std::vector<PendingCommand> still;
  for (PendingCommand& p : keep) {
    auto r = std::find_if(replies.begin(), replies.end(),
                          [&](const auto& x) { return x.first == p.id; });
    if (r != replies.end()) {
      const store::CommandReply& rep = r->second;
      // (An answer that succeeded may carry a message too: ChangeManualTask's task.)
      p.done(base::Status(static_cast<base::Code>(rep.code), rep.message));
    } else if (std::find(orphaned.begin(), orphaned.end(), p.id) != orphaned.end()) {
      p.done(base::Unavailable("the process driving job " + p.job_id +
                               " stopped before it answered; try again in a moment"));
    } else if (now > p.deadline_ms) {
      p.done(base::Unavailable("the process driving job " + p.job_id + " did not answer in " +
                               std::to_string(kForwardTimeoutMs / 1000) + " s"));
    } else {
      still.push_back(std::move(p));
    }
  }
  if (!collected.ok()) {
    base::LogError("cannot read answers to forwarded requests; retrying", ErrorField(collected));
  }
  base::MutexLock l(&cluster_mu_);
  for (PendingCommand& p : still) forwards_.push_back(std::move(p));
}

void Runtime::Impl::PublishManualWork(const ManualWork& w) {
  if (opts_.cluster == nullptr || docs_ == nullptr) return;
  base::Status st = docs_->Put(kManualWorkKind, w.id, bj::serialize(ManualWorkJson(w)));
  if (!st.ok()) base::LogError("cannot store who holds a manual task", ErrorField(st));
}

void Runtime::Impl::RunCommand(const store::Command& cmd) {
  store::Cluster* cluster = opts_.cluster;
  const int64_t id = cmd.id;
  auto answer = [cluster, id](const base::Status& st) {
    base::Status sent =
        cluster->ReplyCommand(id, store::CommandReply{static_cast<int>(st.code()), st.message()});
    if (!sent.ok()) base::LogError("cannot answer a forwarded request", ErrorField(sent));
  };
  auto parsed = json::Parse(cmd.body);
  if (!parsed.ok() || !parsed->is_object()) {
    answer(base::InvalidArgument("unreadable forwarded request"));
    return;
  }
  const bj::object& b = parsed->as_object();
  const std::string op = json::StringField(b, "op");
  const bj::value* vars = b.if_contains("variables");
  if (op == "finish") {
    ManualFinish f{json::StringField(b, "finish_state"),
                   vars && vars->is_object() ? vars->get_object() : bj::object()};
    answer(manual_.Finish(cmd.job_id, json::StringField(b, "task"), json::StringField(b, "user"),
                          std::move(f)));
    return;
  }
  if (op == "manual") {
    auto change = ParseManualChange(json::StringField(b, "change"));
    if (!change.ok()) {
      answer(change.status());
      return;
    }
    const bj::value* force = b.if_contains("force");
    ManualChangeRequest r{*change, json::StringField(b, "id"), json::StringField(b, "user"),
                          json::StringField(b, "by"),
                          force && force->is_bool() && force->get_bool()};
    auto w = manual_.Change(r);
    if (w.ok()) PublishManualWork(*w);
    base::Status sent = cluster->ReplyCommand(
        id, w.ok()
                ? store::CommandReply{0, bj::serialize(ManualWorkJson(*w))}
                : store::CommandReply{static_cast<int>(w.status().code()), w.status().message()});
    if (!sent.ok()) base::LogError("cannot answer a forwarded request", ErrorField(sent));
    return;
  }
  if (op == "report") {
    AdapterReport r;
    const bj::value* outcome = b.if_contains("outcome");
    const int64_t o = outcome && outcome->is_int64() ? outcome->get_int64() : -1;
    if (o < static_cast<int64_t>(AdapterOutcome::kComplete) ||
        o > static_cast<int64_t>(AdapterOutcome::kError)) {
      answer(base::InvalidArgument("unknown adapter outcome in a forwarded report"));
      return;
    }
    r.outcome = static_cast<AdapterOutcome>(o);
    const bj::value* out = b.if_contains("outgoing");
    if (out && out->is_object()) r.outgoing = out->get_object();
    r.message = json::StringField(b, "message");
    answer(adapters_.Report(json::StringField(b, "iteration"), json::StringField(b, "lease"),
                            std::move(r), clock_->NowMs()));
    return;
  }
  auto action = engine::ParseControlAction(json::StringField(b, "action"));
  if (op != "control" || !action.ok()) {
    answer(base::InvalidArgument("unknown forwarded request"));
    return;
  }
  ControlCmd c;
  c.job_id = cmd.job_id;
  c.action = *action;
  c.task_id = json::StringField(b, "task");
  c.to_task = json::StringField(b, "to");
  if (vars && vars->is_object()) c.variables = vars->get_object();
  c.forwarded = true;
  c.done = answer;
  Post(std::move(c));
}

}  // namespace opsflow::runtime
