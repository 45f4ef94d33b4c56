// The REST API: a route table (one row per endpoint), authentication before dispatch, and the
// handlers. Implements api::Handler for the HTTP front.
// Thread-safety: Handle is called concurrently; handlers share only thread-safe services.
#pragma once

#include <memory>
#include <string>

#include "api/http_types.h"
#include "auth/accounts.h"
#include "automation/trigger_service.h"
#include "runtime/runtime.h"
#include "store/job_store.h"

namespace opsflow::runtime {
class EventRelay;
}

namespace opsflow::api {

struct ApiOptions {
  std::string release = "2023.2.0";
  size_t max_json_depth = 64;
  size_t max_body_bytes = 10 * 1024 * 1024;
  int64_t max_list_limit = 1000;
  // Running or paused root jobs one non-admin account may have (jobs/start, manual and endpoint
  // triggers); 0: no limit. 429 beyond it.
  size_t max_running_jobs_per_user = 1000;
  // The routes that compute for the caller and store nothing (api/compute_limits.h): the
  // largest request body and answer (JSON bytes; 413 / 422), and how many of them one
  // non-admin account may have running at once (429).
  size_t max_compute_bytes = 4 * 1024 * 1024;
  size_t max_compute_per_user = 4;
  // GET /operations-manager/events: a ": keep-alive" comment after this long without an event,
  // and the unsent bytes a stream may hold before it ends with `event: overflow`.
  int64_t event_heartbeat_ms = 15'000;
  size_t event_queue_bytes = 1024 * 1024;
  // A job variable or task value whose JSON is larger is answered in documents as a
  // {$largeData, size} marker (api/large_data.h); 1 MiB as kDefaultLargeDataBytes.
  size_t large_data_bytes = size_t(1) << 20;
  // The data folder whose disk GET /health/system reports (empty: none).
  std::string data_dir;
  // This process's name in a cluster (GET /health/status, /health/server).
  std::string node_id;
};

struct ApiDeps {
  runtime::Runtime* runtime;
  store::JobStore* jobs;
  store::DocStore* docs;
  auth::Accounts* accounts;
  // Automations and triggers; null leaves /operations-manager/{automations,triggers} at 503.
  automation::TriggerService* triggers = nullptr;
  // Many processes on one store (README "Cluster"); null for a single process.
  store::Cluster* cluster = nullptr;
  // Cluster: the news between processes (runtime/event_relay.h): workflows changed here are
  // told to the others, and theirs read again here. Init wires it; start it after Init.
  runtime::EventRelay* relay = nullptr;
};

class Api final : public Handler {
 public:
  Api(ApiDeps deps, ApiOptions opts);
  ~Api() override;
  // Loads the stored workflows into memory. Call once before serving.
  base::Status Init();
  void Handle(Request req, Responder done) override;
  // Refuse new work (SIGTERM): every later request gets 503.
  void Drain();

  struct State;

 private:
  std::unique_ptr<State> state_;
};

}  // namespace opsflow::api
