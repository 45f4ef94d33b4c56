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
#include "runtime/runtime_impl.h"

namespace opsflow::runtime {
namespace {

constexpr size_t kClaimTrees = 200;  // job trees claimed per round

std::string ErrorField(const base::Status& st) {
  return "\"error\":\"" + base::JsonEscape(st.message()) + "\"";
}

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
}

void Runtime::Impl::ClusterLoop() {
  const int64_t renew_every = std::max<int64_t>(opts_.lease_ttl_ms / 3, 10);
  int64_t next_renew = clock_->NowMs() + renew_every;
  int64_t next_claim = clock_->NowMs() + opts_.claim_interval_ms;
  int64_t lost = 0;  // the token whose loss was reported, until a new one is taken
  while (true) {
    {
      base::MutexLock l(&cluster_mu_);
      int64_t wait = std::min(next_renew, next_claim) - clock_->NowMs();
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

}  // namespace opsflow::runtime
