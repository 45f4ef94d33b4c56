// Cluster port: what the runtime needs from a store shared by many processes (SPEC §8, README
// "Cluster"). postgres/ implements it; the embedded store does not (one process per data folder).
//
// A process joins with a lease row and gets a fencing token; it renews the lease while it lives.
// Jobs are driven by one process at a time: a job's owner is the token of the process that
// created or claimed it, and a whole job tree (a root job and its children) has one owner. A
// lease that was not renewed for its TTL may be taken over by any other process: its row is
// removed and its jobs become claimable. From then on every group commit made with the old token
// fails with Code::kAborted (WriteBatch::fence), so a process that was paused or cut off past its
// lease writes nothing for jobs it no longer owns.
// Thread-safety: implementations are safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "base/status.h"
#include "model/records.h"

namespace opsflow::store {

// A request handed to the process that drives a job (Cluster::SendCommand).
struct Command {
  int64_t id = 0;
  std::string job_id;
  std::string body;  // JSON text, the runtime's own format (runtime_cluster.cc)
};

// The answer to a Command: a base::Code as an int and a message.
struct CommandReply {
  int code = 0;
  std::string message;
};

// A process of the cluster as the store knows it.
struct NodeInfo {
  int64_t token = 0;
  std::string node_id;
  std::string address;  // where it listens (informational)
  int64_t started_ms = 0;
  int64_t renewed_ms = 0;
  int64_t jobs = 0;      // jobs it drove at its last renewal
  bool expired = false;  // its lease ran out (it may be taken over)
};

class Cluster {
 public:
  virtual ~Cluster() = default;
  // Creates a lease for this process, valid for `ttl_ms`; returns its fencing token (never 0).
  virtual base::Result<int64_t> Join(const std::string& node_id, const std::string& address,
                                     int64_t ttl_ms) = 0;
  // Extends lease `token` by `ttl_ms` and records how many jobs the process drives. Aborted
  // when the lease is gone (taken over): the process must drop every job it holds and join again.
  virtual base::Status Renew(int64_t token, int64_t ttl_ms, int64_t jobs) = 0;
  // Clean stop: releases the process's jobs (nobody owns them; the others claim them at once)
  // and removes its lease.
  virtual base::Status Leave(int64_t token) = 0;
  // Takes over expired leases, then claims for `token` up to `max_trees` job trees that are
  // running or paused and owned by nobody (or by a lease that is gone): every running or paused
  // job of those trees, as LoadActiveJobs returns them. Trees another process is claiming at the
  // same moment are skipped (FOR UPDATE SKIP LOCKED), never claimed twice.
  virtual base::Result<std::vector<model::JobRecord>> ClaimOrphans(int64_t token,
                                                                   size_t max_trees) = 0;
  // Makes job `id` (at rest: not running or paused, e.g. in error) owned by `token` so it can be
  // retried or continued here. FailedPrecondition naming the owner when another live process
  // drives it.
  virtual base::Status ClaimJob(int64_t token, const std::string& id) = 0;
  // Every lease the store holds, live or expired, by node id.
  virtual base::Result<std::vector<NodeInfo>> Nodes() = 0;
  // Running or paused root jobs per user (`created_by`) of every process but lease `token`'s,
  // those no process drives included: with the jobs it drives itself, what a process counts
  // against a per-user limit (--max-running-jobs-per-user).
  virtual base::Result<std::vector<std::pair<std::string, int64_t>>> RunningRootsByUser(
      int64_t token) = 0;

  // Commands: a request for job `job_id`, running or paused and driven by another live process,
  // addressed to that process; returns the command's id. NotFound when no such job;
  // FailedPrecondition when it is not running or paused or nobody (live) drives it.
  virtual base::Result<int64_t> SendCommand(const std::string& job_id, const std::string& body) = 0;
  // The commands addressed to lease `token` not taken yet, now taken (oldest first).
  virtual base::Result<std::vector<Command>> TakeCommands(int64_t token) = 0;
  virtual base::Status ReplyCommand(int64_t id, const CommandReply& reply) = 0;
  // The answers among `ids` (id -> reply; those answered are deleted), and the ids whose target
  // lease is gone (never to be answered; deleted too).
  virtual base::Status CollectReplies(const std::vector<int64_t>& ids,
                                      std::vector<std::pair<int64_t, CommandReply>>* replies,
                                      std::vector<int64_t>* orphaned) = 0;
};

}  // namespace opsflow::store
