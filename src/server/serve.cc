#include "server/serve.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "api/api.h"
#include "auth/access.h"
#include "auth/accounts.h"
#include "auth/secret_box.h"
#include "automation/trigger_service.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/server.h"
#include "http/static_assets.h"
#include "http/tls_context.h"
#include "postgres/pg_events.h"
#include "postgres/pg_retention.h"
#include "postgres/postgres_store.h"
#include "runtime/adapter_queue.h"
#include "runtime/event_relay.h"
#include "runtime/manual_tasks.h"
#include "runtime/runtime.h"
#include "server/config.h"
#include "server/metrics_listen.h"
#include "sqlite/backup.h"
#include "sqlite/retention.h"
#include "sqlite/sqlite_store.h"
#include "store/retention.h"
#include "tasks/rest_call.h"

namespace opsflow::server {
namespace {

struct Config {
  std::string listen = "127.0.0.1:3000";
  std::string data = "./data";
  int io_threads = 2;
  int task_workers = 1;
  size_t max_body_bytes = 10 * 1024 * 1024;
  size_t max_json_depth = 64;
  uint32_t max_task_iterations = 1000;
  size_t max_child_loop = 10000;
  // What one user or one job may make the server hold (README "Limits", issue 9).
  size_t max_child_depth = runtime::RuntimeOptions{}.max_child_depth;
  size_t max_descendants = runtime::RuntimeOptions{}.max_descendants;
  size_t max_value_bytes = runtime::RuntimeOptions{}.max_value_bytes;
  size_t max_variables_bytes = runtime::RuntimeOptions{}.max_variables_bytes;
  size_t max_running_jobs_per_user = api::ApiOptions{}.max_running_jobs_per_user;
  size_t max_compute_bytes = api::ApiOptions{}.max_compute_bytes;
  size_t max_compute_per_user = api::ApiOptions{}.max_compute_per_user;
  int64_t token_ttl_s = 3600;
  auth::ThrottleOptions throttle;  // failed logins (README "Limits", docs/ACCOUNTS.md "Logins")
  int64_t adapter_task_timeout_ms = 5 * 60 * 1000;
  int64_t rest_timeout_ms = 60'000;
  size_t rest_max_response_bytes = 10 * 1024 * 1024;
  // HTTP front and API limits (README "Configuration"); defaults are the libraries' own.
  size_t max_header_bytes = http::ServerOptions{}.max_header_bytes;
  int64_t header_timeout_ms = http::ServerOptions{}.header_timeout.count();
  int64_t body_timeout_ms = http::ServerOptions{}.body_timeout.count();
  int64_t idle_timeout_ms = http::ServerOptions{}.idle_timeout.count();
  int64_t write_timeout_ms = http::ServerOptions{}.write_timeout.count();
  size_t max_connections = http::ServerOptions{}.max_connections;
  size_t max_connections_per_client = http::ServerOptions{}.max_connections_per_ip;
  int64_t max_list_limit = api::ApiOptions{}.max_list_limit;
  int64_t event_heartbeat_ms = api::ApiOptions{}.event_heartbeat_ms;
  size_t event_queue_bytes = api::ApiOptions{}.event_queue_bytes;
  size_t large_data_bytes = api::ApiOptions{}.large_data_bytes;
  size_t event_history = runtime::EventBusOptions{}.history;
  int64_t event_linger_ms = runtime::EventBusOptions{}.linger_ms;
};

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool SplitListen(const std::string& listen, std::string* host, uint16_t* port) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) return false;
  *host = listen.substr(0, colon);
  int p = std::atoi(listen.c_str() + colon + 1);
  if (p < 0 || p > 65535) return false;
  *port = static_cast<uint16_t>(p);
  return true;
}

// The box that seals decorated job values: its key comes from OPSFLOW_SECRET_KEY, else from the
// key file (default <data>/secret.key, created on first start).
base::Result<std::unique_ptr<auth::SodiumSecretBox>> OpenSecretBox(const std::string& file,
                                                                   const std::string& data) {
  std::string path = file.empty() ? data + "/secret.key" : file;
  bool created = false;
  auto key = auth::LoadSecretKey(path, Env("OPSFLOW_SECRET_KEY"), &created);
  if (!key.ok()) return key.status();
  if (created) {
    base::LogInfo("created the secret key file", "\"path\":\"" + base::JsonEscape(path) + "\"");
  }
  return auth::SodiumSecretBox::FromKey(*key);
}

// A flag that takes a positive number, also read from environment variable `env`.
template <typename T>
void AddPositive(CLI::App& app, const char* flag, T& value, const char* env, const char* what) {
  app.add_option(flag, value, what)->envname(env)->check(CLI::PositiveNumber);
}

// The HTTP front's limits and the API's list and event-stream limits, each a flag and an
// OPSFLOW_* variable (the flag wins).
void AddHttpLimitFlags(CLI::App& app, Config& cfg) {
  AddPositive(app, "--max-header-bytes", cfg.max_header_bytes, "OPSFLOW_MAX_HEADER_BYTES",
              "largest request line + headers (431)");
  AddPositive(app, "--header-timeout-ms", cfg.header_timeout_ms, "OPSFLOW_HEADER_TIMEOUT_MS",
              "ms to receive a request's headers (408)");
  AddPositive(app, "--body-timeout-ms", cfg.body_timeout_ms, "OPSFLOW_BODY_TIMEOUT_MS",
              "ms to receive a request's body (408)");
  AddPositive(app, "--idle-timeout-ms", cfg.idle_timeout_ms, "OPSFLOW_IDLE_TIMEOUT_MS",
              "ms a keep-alive connection may wait for its next request");
  AddPositive(app, "--write-timeout-ms", cfg.write_timeout_ms, "OPSFLOW_WRITE_TIMEOUT_MS",
              "ms a client may take to read one write of its response");
  AddPositive(app, "--max-connections", cfg.max_connections, "OPSFLOW_MAX_CONNECTIONS",
              "open client connections (503 beyond)");
  AddPositive(app, "--max-connections-per-client", cfg.max_connections_per_client,
              "OPSFLOW_MAX_CONNECTIONS_PER_CLIENT", "open connections per client address (503)");
  AddPositive(app, "--max-list-limit", cfg.max_list_limit, "OPSFLOW_MAX_LIST_LIMIT",
              "largest `limit` on list endpoints (400)");
  AddPositive(app, "--event-heartbeat-ms", cfg.event_heartbeat_ms, "OPSFLOW_EVENT_HEARTBEAT_MS",
              "ms between keep-alive comments on a quiet event stream");
  AddPositive(app, "--event-queue-bytes", cfg.event_queue_bytes, "OPSFLOW_EVENT_QUEUE_BYTES",
              "unsent bytes an event stream may hold before it ends with `event: overflow`");
  AddPositive(app, "--large-data-bytes", cfg.large_data_bytes, "OPSFLOW_LARGE_DATA_BYTES",
              "a job variable or task value larger than this (JSON bytes) is answered in documents "
              "as a $largeData marker (GET /operations-manager/large-data/:id)");
  app.add_option("--event-history", cfg.event_history,
                 "latest events kept for streams that reconnect with Last-Event-ID (0: none)")
      ->envname("OPSFLOW_EVENT_HISTORY")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--event-linger-ms", cfg.event_linger_ms,
                 "ms events are still kept after the last stream closed")
      ->envname("OPSFLOW_EVENT_LINGER_MS")
      ->check(CLI::NonNegativeNumber);
}

// What one job (child nesting, descendants, value and variable sizes) and one user (running
// jobs) may make the server hold; each a flag and an OPSFLOW_* variable.
void AddJobLimitFlags(CLI::App& app, Config& cfg) {
  AddPositive(app, "--max-child-depth", cfg.max_child_depth, "OPSFLOW_MAX_CHILD_DEPTH",
              "how deep child jobs may nest below their root job");
  AddPositive(app, "--max-descendants", cfg.max_descendants, "OPSFLOW_MAX_DESCENDANTS",
              "child jobs one root job may start in all");
  AddPositive(app, "--max-value-bytes", cfg.max_value_bytes, "OPSFLOW_MAX_VALUE_BYTES",
              "largest output one task may produce (JSON bytes)");
  AddPositive(app, "--max-variables-bytes", cfg.max_variables_bytes, "OPSFLOW_MAX_VARIABLES_BYTES",
              "largest variables one job may hold (JSON bytes)");
  app.add_option("--max-running-jobs-per-user", cfg.max_running_jobs_per_user,
                 "running or paused jobs one non-admin user may have (0: no limit)")
      ->envname("OPSFLOW_MAX_RUNNING_JOBS_PER_USER")
      ->check(CLI::NonNegativeNumber);
  AddPositive(app, "--max-compute-bytes", cfg.max_compute_bytes, "OPSFLOW_MAX_COMPUTE_BYTES",
              "largest body and answer of a JST run, query, evaluation or metrics request");
  AddPositive(app, "--max-compute-per-user", cfg.max_compute_per_user,
              "OPSFLOW_MAX_COMPUTE_PER_USER",
              "JST runs, queries, evaluations and metrics one non-admin user may run at once");
}

// SIGHUP: reads the certificate and key again; new connections use them, open ones keep theirs.
void ReloadTls(http::TlsContext* tls) {
  if (tls == nullptr) return base::LogInfo("SIGHUP: no TLS certificate to reload");
  if (auto st = tls->Reload(); !st.ok()) {
    return base::LogError("TLS reload failed; the previous certificate stays in use",
                          "\"error\":\"" + base::JsonEscape(st.message()) + "\"");
  }
  base::LogInfo("TLS certificate reloaded",
                "\"cert\":\"" + base::JsonEscape(tls->cert_file()) + "\"");
}

// Gauges read from the runtime when /metrics is scraped (cleared before it goes).
void AddRuntimeGauges(runtime::Runtime* rt) {
  base::metrics::SetGauge("opsflow_jobs_running", "Jobs running or paused, held by the engine.",
                          [rt] { return static_cast<double>(rt->active_jobs()); });
  base::metrics::SetGauge("opsflow_manual_tasks_waiting", "Manual tasks waiting for a person.",
                          [rt] { return static_cast<double>(rt->manual()->size()); });
  base::metrics::SetGauge("opsflow_adapter_tasks_waiting",
                          "Adapter tasks waiting for (or leased to) an adapter worker.",
                          [rt] { return static_cast<double>(rt->adapters()->size()); });
}

int Fail(const std::string& msg) {
  std::cerr << "opsflow serve: " << msg << "\n";
  return 1;
}

}  // namespace

int Serve(int argc, char** argv) {
  Config cfg;
  CLI::App app{"opsflow server"};
  app.add_option("--listen", cfg.listen, "HOST:PORT to listen on (OPSFLOW_LISTEN)");
  app.add_option("--data", cfg.data, "data directory for the embedded store (OPSFLOW_DATA)");
  std::string store_url;  // README "PostgreSQL store"
  app.add_option("--store", store_url,
                 "postgres://USER:PASS@HOST:PORT/DB?...: keep jobs and documents in PostgreSQL "
                 "instead of the embedded store in --data (which then holds only secret.key)");
  std::string node_id, lease_ttl = "10s";  // README "Cluster"
  app.add_option("--node-id", node_id,
                 "this process's name in a cluster on --store postgres://... (default "
                 "HOSTNAME:PORT; OPSFLOW_NODE_ID)");
  app.add_option("--lease-ttl", lease_ttl,
                 "with --store: how long a process that stopped answering keeps its jobs before "
                 "the others take them over (default 10s)");
  std::string secret_key_file;
  app.add_option("--secret-key-file", secret_key_file,
                 "32-byte key sealing decorated values (default <data>/secret.key; "
                 "OPSFLOW_SECRET_KEY overrides)");
  app.add_option("--io-threads", cfg.io_threads, "HTTP threads");
  app.add_option("--task-workers", cfg.task_workers, "threads running built-in tasks");
  app.add_option("--max-body-bytes", cfg.max_body_bytes, "largest request body (413)")
      ->envname("OPSFLOW_MAX_BODY_BYTES")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-json-depth", cfg.max_json_depth, "deepest JSON nesting accepted (400)")
      ->envname("OPSFLOW_MAX_JSON_DEPTH")
      ->check(CLI::PositiveNumber);
  app.add_option("--max-task-iterations", cfg.max_task_iterations, "runs of one task per job")
      ->envname("OPSFLOW_MAX_TASK_ITERATIONS");
  AddHttpLimitFlags(app, cfg);
  AddJobLimitFlags(app, cfg);
  app.add_option("--max-child-loop", cfg.max_child_loop,
                 "most data_array elements (child jobs) one childJob loop may have");
  app.add_option("--token-ttl", cfg.token_ttl_s, "token lifetime in seconds");
  app.add_option("--login-free-failures", cfg.throttle.free_failures,
                 "failed logins per username and address before they are delayed")
      ->check(CLI::PositiveNumber);
  app.add_option("--login-address-free-failures", cfg.throttle.address_free_failures,
                 "failed logins per source address before they are delayed")
      ->check(CLI::PositiveNumber);
  app.add_option("--login-delay-ms", cfg.throttle.first_delay_ms,
                 "first delay after the free failed logins; doubles with each further failure")
      ->check(CLI::PositiveNumber);
  app.add_option("--login-max-delay-ms", cfg.throttle.max_delay_ms,
                 "longest delay of failed logins")
      ->check(CLI::PositiveNumber);
  app.add_option("--adapter-task-timeout", cfg.adapter_task_timeout_ms,
                 "ms an adapter task may wait for external workers before it errors");
  app.add_option("--rest-timeout", cfg.rest_timeout_ms, "restCall total timeout in ms")
      ->envname("OPSFLOW_REST_TIMEOUT");
  app.add_option("--rest-max-response-bytes", cfg.rest_max_response_bytes,
                 "largest restCall response body")
      ->envname("OPSFLOW_REST_MAX_RESPONSE_BYTES");
  // TLS, the configuration file and SIGHUP: docs/DEPLOY.md, README "Configuration".
  std::string tls_cert, tls_key, config_file;
  app.add_option("--tls-cert", tls_cert, "PEM certificate chain: serve HTTPS (needs --tls-key)");
  app.add_option("--tls-key", tls_key, "PEM private key of --tls-cert (mode 0600 or stricter)");
  std::string metrics_listen;                 // README "Metrics"
  std::string retain_finished, retain_error;  // README "Retention and archive"
  sqlite::RetentionOptions retention;
  app.add_option("--retain-finished", retain_finished,
                 "delete complete and canceled jobs this long after they ended (e.g. 30d)");
  app.add_option("--retain-error", retain_error,
                 "delete error jobs untouched for this long (abandoned); default: keep them");
  std::vector<std::string> retain_workflow;
  app.add_option("--retain-workflow", retain_workflow,
                 "NAME=DURATION: the jobs of workflow NAME are deleted this long after they ended, "
                 "instead of --retain-finished (repeatable)");
  app.add_option("--archive-dir", retention.archive_dir,
                 "write jobs to daily gzip JSON Lines files here before retention deletes them");
  app.add_option("--metrics-listen", metrics_listen,
                 "HOST:PORT of a plain-HTTP listener serving GET /metrics without a token");
  app.add_option("--config", config_file, "YAML file of serve flags (key: flag without --)")
      ->envname("OPSFLOW_CONFIG");
  SetDefaultEnvNames(app);  // every flag --x-y also reads OPSFLOW_X_Y
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (!config_file.empty()) {
    if (auto st = ApplyConfigFile(app, config_file); !st.ok()) return Fail(st.message());
  }
  std::shared_ptr<http::TlsContext> tls;
  if (tls_cert.empty() != tls_key.empty()) {
    return Fail("--tls-cert and --tls-key go together: give both, or neither for plain HTTP");
  }
  if (!tls_cert.empty()) {
    auto loaded = http::TlsContext::Load(tls_cert, tls_key);
    if (!loaded.ok()) return Fail(loaded.status().message());
    tls = *loaded;
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitListen(cfg.listen, &host, &port)) return Fail("--listen must be HOST:PORT");

  // Block the shutdown signals before any thread starts, then wait for them below.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGHUP);  // reloads the TLS certificate and key
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  // The store: the embedded SQLite store in --data (the default), or PostgreSQL with --store.
  const bool on_postgres = !store_url.empty();
  if (on_postgres && !postgres::IsPostgresUrl(store_url)) {
    return Fail(
        "--store must be a postgres://USER:PASS@HOST:PORT/DB URL (or leave it out and "
        "use --data for the embedded store)");
  }
  std::optional<sqlite::ServeLock> serve_lock;
  std::unique_ptr<sqlite::SqliteStore> sqlite_store;
  std::unique_ptr<postgres::PostgresStore> pg_store;
  store::JobStore* job_store = nullptr;
  store::DocStore* doc_store = nullptr;
  if (on_postgres) {
    auto pg = postgres::PostgresStore::Open(store_url);
    if (!pg.ok()) return Fail(postgres::RedactUrl(store_url) + ": " + pg.status().message());
    pg_store = std::move(pg).value();
    job_store = pg_store.get();
    doc_store = pg_store.get();
    // --data still holds the secret key file (unless --secret-key-file or OPSFLOW_SECRET_KEY).
    if (secret_key_file.empty() && mkdir(cfg.data.c_str(), 0700) != 0 && errno != EEXIST) {
      return Fail("cannot create data directory " + cfg.data);
    }
  } else {
    // One server per data directory; `opsflow restore` takes the same lock.
    auto lock = sqlite::ServeLock::Acquire(cfg.data);
    if (!lock.ok()) return Fail(lock.status().message());
    serve_lock.emplace(std::move(lock).value());
    auto opened = sqlite::SqliteStore::Open(cfg.data);
    if (!opened.ok()) return Fail(opened.status().message());
    sqlite_store = std::move(opened).value();
    job_store = sqlite_store.get();
    doc_store = sqlite_store.get();
  }
  auto secret_box = OpenSecretBox(secret_key_file, cfg.data);
  if (!secret_box.ok()) return Fail(secret_box.status().message());
  base::Clock* clock = base::SystemClock::Get();
  auth::AuthOptions auth_opts;
  auth_opts.token_ttl_ms = cfg.token_ttl_s * 1000;
  auth_opts.throttle = cfg.throttle;
  auth::Accounts accounts(doc_store, clock, auth_opts);
  auto empty = accounts.Empty();
  if (!empty.ok()) return Fail(empty.status().message());
  if (*empty) {
    std::string user = Env("OPSFLOW_ADMIN_USER"), pass = Env("OPSFLOW_ADMIN_PASSWORD");
    if (user.empty() || pass.empty()) {
      return Fail(
          "the store has no account yet: set OPSFLOW_ADMIN_USER and "
          "OPSFLOW_ADMIN_PASSWORD to create the first admin");
    }
    auto a = accounts.Create(user, pass, true);
    if (!a.ok()) return Fail("cannot create the first admin: " + a.status().message());
    base::LogInfo("created the first admin account",
                  "\"username\":\"" + base::JsonEscape(user) + "\"");
  }
  if (!retain_finished.empty()) {
    auto d = sqlite::ParseDuration(retain_finished);
    if (!d.ok()) return Fail("--retain-finished: " + d.status().message());
    retention.retain_ms = *d;
  }
  if (!retain_error.empty()) {
    auto d = sqlite::ParseDuration(retain_error);
    if (!d.ok()) return Fail("--retain-error: " + d.status().message());
    retention.retain_error_ms = *d;
  }
  for (const std::string& rule : retain_workflow) {
    auto r = store::ParseWorkflowRetention(rule);
    if (!r.ok()) return Fail("--retain-workflow: " + r.status().message());
    if (!retention.per_workflow.emplace(r->first, r->second).second) {
      return Fail("--retain-workflow: workflow '" + r->first + "' is given twice");
    }
  }
  if (!retention.archive_dir.empty() && access(retention.archive_dir.c_str(), W_OK) != 0) {
    return Fail("--archive-dir " + retention.archive_dir + " is not a writable folder");
  }
  runtime::RuntimeOptions ro;
  ro.task_workers = cfg.task_workers;
  ro.engine.max_task_iterations = cfg.max_task_iterations;
  ro.adapter_task_timeout_ms = cfg.adapter_task_timeout_ms;
  ro.max_child_loop = cfg.max_child_loop;
  ro.max_child_depth = cfg.max_child_depth;
  ro.max_descendants = cfg.max_descendants;
  ro.max_value_bytes = cfg.max_value_bytes;
  ro.max_variables_bytes = cfg.max_variables_bytes;
  ro.secret_box = secret_box->get();
  if (pg_store) {
    // Every process on PostgreSQL is a member of its cluster, even alone (README "Cluster").
    if (node_id.empty()) node_id = Env("OPSFLOW_NODE_ID");
    if (node_id.empty()) {
      char name[256] = {0};
      gethostname(name, sizeof(name) - 1);
      node_id = std::string(name) + ":" + std::to_string(port);
    }
    auto ttl = sqlite::ParseDuration(lease_ttl);
    if (!ttl.ok() || *ttl < 300) {
      return Fail("--lease-ttl must be a duration of at least 300ms, such as 10s");
    }
    ro.cluster = pg_store.get();
    ro.node_id = node_id;
    ro.node_address = cfg.listen;
    ro.lease_ttl_ms = *ttl;
  } else if (!node_id.empty()) {
    return Fail("--node-id names a process of a cluster on PostgreSQL: give --store too");
  }
  ro.events.history = cfg.event_history;
  ro.events.linger_ms = cfg.event_linger_ms;
  ro.task_visibility = [&accounts](const std::string& user, std::string_view groups_json) {
    auto initiator = accounts.Find(user);
    return auth::JobTaskVisibility(initiator.ok() ? &*initiator : nullptr, groups_json);
  };
  ro.jst_visible = [&accounts](const std::string& user, std::string_view groups_json,
                               const boost::json::object& jst) {
    auto initiator = accounts.Find(user);
    return auth::VisibleUnder(
        auth::JobTaskVisibility(initiator.ok() ? &*initiator : nullptr, groups_json),
        auth::GroupsOfDoc(jst));
  };
  tasks::RestCallLimits rest = tasks::GetRestCallLimits();
  rest.timeout_ms = cfg.rest_timeout_ms;
  rest.max_response_bytes = static_cast<int64_t>(cfg.rest_max_response_bytes);
  tasks::SetRestCallLimits(rest);
  runtime::Runtime rt(job_store, doc_store, clock, ro);
  if (auto st = rt.Start(); !st.ok()) return Fail(st.message());
  AddRuntimeGauges(&rt);
  // README "Cluster": event streams show every process's events (LISTEN/NOTIFY).
  std::unique_ptr<postgres::PgEventFeed> event_feed;
  std::unique_ptr<runtime::EventRelay> event_relay;
  if (pg_store) {
    event_feed = std::make_unique<postgres::PgEventFeed>(store_url);
    event_relay = std::make_unique<runtime::EventRelay>(rt.events(), event_feed.get());
  }
  // README "Cluster": schedules fire and retention runs on one process, the leader (the live
  // lease with the smallest token: the longest-standing process). Unset: not a cluster.
  std::function<bool()> cluster_leader;
  if (ro.cluster) {
    cluster_leader = [&rt, cluster = ro.cluster] {
      const int64_t mine = rt.lease_token();
      if (mine == 0) return false;
      auto nodes = cluster->Nodes();
      if (!nodes.ok()) return false;
      for (const store::NodeInfo& n : *nodes) {
        if (n.token < mine) return false;
      }
      return true;
    };
  }
  // Retention (store/retention.h): the store answers which jobs are due (PostgreSQL on a
  // connection of its own), DeleteJobTree deletes each tree; on a cluster, the leader only.
  std::unique_ptr<postgres::PgRetention> pg_retention;
  std::unique_ptr<store::Retention> retainer;
  if (retention.enabled()) {
    store::RetentionPort* due = sqlite_store.get();
    if (pg_store) {
      auto p = postgres::PgRetention::Open(store_url);
      if (!p.ok()) return Fail("retention: " + p.status().message());
      pg_retention = std::move(p).value();
      due = pg_retention.get();
    }
    retainer = std::make_unique<store::Retention>(job_store, due, clock, retention,
                                                  sqlite::ArchiveWriter(retention.archive_dir),
                                                  cluster_leader);
    retainer->Start();
  }
  // Automations and triggers; started once the API has given it its job launcher.
  automation::TriggerServiceOptions trigger_opts;
  if (ro.cluster) {
    // Every process reads the automations and triggers again each second, so a change made
    // through one is live on all; schedules fire on the leader.
    trigger_opts.reload_ms = 1000;
    trigger_opts.scheduler_active = cluster_leader;
  }
  automation::TriggerService triggers(doc_store, clock, trigger_opts);
  if (auto st = triggers.Load(); !st.ok()) return Fail(st.message());
  api::ApiOptions ao;
  ao.max_body_bytes = cfg.max_body_bytes;
  ao.max_json_depth = cfg.max_json_depth;
  ao.max_list_limit = cfg.max_list_limit;
  ao.max_running_jobs_per_user = cfg.max_running_jobs_per_user;
  ao.max_compute_bytes = cfg.max_compute_bytes;
  ao.max_compute_per_user = cfg.max_compute_per_user;
  ao.event_heartbeat_ms = cfg.event_heartbeat_ms;
  ao.event_queue_bytes = cfg.event_queue_bytes;
  ao.large_data_bytes = cfg.large_data_bytes;
  ao.data_dir = cfg.data;
  ao.node_id = node_id;
  auto api = std::make_shared<api::Api>(
      api::ApiDeps{&rt, job_store, doc_store, &accounts, &triggers, ro.cluster, event_relay.get()},
      ao);
  if (auto st = api->Init(); !st.ok()) return Fail(st.message());
  if (event_relay) {  // after Init: it delivers other processes' workflow changes to the API
    if (auto st = event_relay->Start(); !st.ok()) return Fail(st.message());
  }
  triggers.Start(rt.events());
  http::ServerOptions so;
  so.address = host;
  so.port = port;
  so.threads = cfg.io_threads;
  so.max_body_bytes = cfg.max_body_bytes;
  so.max_header_bytes = cfg.max_header_bytes;
  so.header_timeout = std::chrono::milliseconds(cfg.header_timeout_ms);
  so.body_timeout = std::chrono::milliseconds(cfg.body_timeout_ms);
  so.idle_timeout = std::chrono::milliseconds(cfg.idle_timeout_ms);
  so.write_timeout = std::chrono::milliseconds(cfg.write_timeout_ms);
  so.max_connections = cfg.max_connections;
  so.max_connections_per_ip = cfg.max_connections_per_client;
  so.tls = tls;
  // The web page at / and /ui/ (http/static_assets.h); every other path goes to the API.
  http::Server server(so, std::make_shared<http::StaticAssets>(api));
  if (auto st = server.Start(); !st.ok()) return Fail(st.message());
  const std::string store_name = on_postgres ? postgres::RedactUrl(store_url) : "sqlite";
  base::LogInfo("opsflow listening", "\"address\":\"" + host + ":" + std::to_string(server.port()) +
                                         "\",\"data\":\"" + base::JsonEscape(cfg.data) +
                                         "\",\"store\":\"" + base::JsonEscape(store_name) + "\"");
  if (tls) base::LogInfo("serving HTTPS only", "\"cert\":\"" + base::JsonEscape(tls_cert) + "\"");
  std::unique_ptr<http::Server> metrics_server;
  if (!metrics_listen.empty()) {
    std::string mhost;
    uint16_t mport = 0;
    if (!SplitListen(metrics_listen, &mhost, &mport)) {
      return Fail("--metrics-listen must be HOST:PORT");
    }
    auto m = StartMetricsListener(mhost, mport);
    if (!m.ok()) return Fail("--metrics-listen " + metrics_listen + ": " + m.status().message());
    metrics_server = std::move(m).value();
    base::LogInfo("metrics listening",
                  "\"address\":\"" + mhost + ":" + std::to_string(metrics_server->port()) + "\"");
  }
  int sig = 0;
  for (;;) {
    sigwait(&sigs, &sig);
    if (sig != SIGHUP) break;
    ReloadTls(tls.get());
  }
  base::LogInfo("shutting down", "\"signal\":" + std::to_string(sig));
  api->Drain();
  if (metrics_server) metrics_server->Stop();
  server.Stop();
  triggers.Stop();
  if (retainer) retainer->Stop();
  if (event_relay) event_relay->Stop();
  rt.Stop();
  base::metrics::ClearGauges();
  base::LogInfo("stopped");
  return 0;
}

}  // namespace opsflow::server
