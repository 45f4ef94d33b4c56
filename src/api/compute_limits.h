// Internal to api/: per-user bounds on the routes that compute for the caller and store nothing
// (POST /transformations/:id, /workflow_engine/query, runEvaluationGroup(s), GET
// /workflow_engine/jobs|tasks/metrics). Each request's body and answer are at most
// ApiOptions::max_compute_bytes (413 / 422 naming `max-compute-bytes`); a non-admin account runs
// at most ApiOptions::max_compute_per_user of them at once (429 naming `max-compute-per-user`).
// The work of one run is bounded where it is done (a JST's max_steps and value limits,
// json-query's 5M values, the metrics' page limit).
// Thread-safety: ComputeSlots is safe from any thread; a ComputeRun belongs to one handler.
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "api/respond.h"
#include "api/routes.h"

namespace opsflow::api {

// The runs each account has in flight.
class ComputeSlots {
 public:
  // Takes one of `user`'s `limit` slots; false when all are taken.
  bool TryAcquire(const std::string& user, size_t limit);
  void Release(const std::string& user);
  size_t InFlight(const std::string& user) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, size_t> running_;
};

// One compute request: Begin checks the body and takes a slot (or replies 413/429 and gives
// false); Reply checks the answer's size (422 beyond it). The slot is given back on destruction.
class ComputeRun {
 public:
  ComputeRun(Api::State& s, Call& c) : s_(s), c_(c) {}
  ~ComputeRun();
  ComputeRun(const ComputeRun&) = delete;
  ComputeRun& operator=(const ComputeRun&) = delete;

  bool Begin(const std::string& what);
  void Reply(const bj::value& answer);

 private:
  Api::State& s_;
  Call& c_;
  std::string what_;
  bool held_ = false;
};

}  // namespace opsflow::api
