#include "server/serve.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "api/api.h"
#include "auth/access.h"
#include "auth/accounts.h"
#include "auth/secret_box.h"
#include "base/log.h"
#include "http/server.h"
#include "runtime/runtime.h"
#include "runtime/trigger_service.h"
#include "sqlite/sqlite_store.h"
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
  int64_t token_ttl_s = 3600;
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

// The HTTP front's limits and the API's list and event-stream limits, each a flag and an
// OPSFLOW_* variable (the flag wins).
void AddHttpLimitFlags(CLI::App& app, Config& cfg) {
  auto positive = [&](const char* flag, auto& value, const char* env, const char* what) {
    app.add_option(flag, value, what)->envname(env)->check(CLI::PositiveNumber);
  };
  positive("--max-header-bytes", cfg.max_header_bytes, "OPSFLOW_MAX_HEADER_BYTES",
           "largest request line + headers (431)");
  positive("--header-timeout-ms", cfg.header_timeout_ms, "OPSFLOW_HEADER_TIMEOUT_MS",
           "ms to receive a request's headers (408)");
  positive("--body-timeout-ms", cfg.body_timeout_ms, "OPSFLOW_BODY_TIMEOUT_MS",
           "ms to receive a request's body (408)");
  positive("--idle-timeout-ms", cfg.idle_timeout_ms, "OPSFLOW_IDLE_TIMEOUT_MS",
           "ms a keep-alive connection may wait for its next request");
  positive("--write-timeout-ms", cfg.write_timeout_ms, "OPSFLOW_WRITE_TIMEOUT_MS",
           "ms a client may take to read one write of its response");
  positive("--max-connections", cfg.max_connections, "OPSFLOW_MAX_CONNECTIONS",
           "open client connections (503 beyond)");
  positive("--max-connections-per-client", cfg.max_connections_per_client,
           "OPSFLOW_MAX_CONNECTIONS_PER_CLIENT", "open connections per client address (503)");
  positive("--max-list-limit", cfg.max_list_limit, "OPSFLOW_MAX_LIST_LIMIT",
           "largest `limit` on list endpoints (400)");
  positive("--event-heartbeat-ms", cfg.event_heartbeat_ms, "OPSFLOW_EVENT_HEARTBEAT_MS",
           "ms between keep-alive comments on a quiet event stream");
  positive("--event-queue-bytes", cfg.event_queue_bytes, "OPSFLOW_EVENT_QUEUE_BYTES",
           "unsent bytes an event stream may hold before it ends with `event: overflow`");
  app.add_option("--event-history", cfg.event_history,
                 "latest events kept for streams that reconnect with Last-Event-ID (0: none)")
      ->envname("OPSFLOW_EVENT_HISTORY")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--event-linger-ms", cfg.event_linger_ms,
                 "ms events are still kept after the last stream closed")
      ->envname("OPSFLOW_EVENT_LINGER_MS")
      ->check(CLI::NonNegativeNumber);
}

int Fail(const std::string& msg) {
  std::cerr << "opsflow serve: " << msg << "\n";
  return 1;
}

}  // namespace

int Serve(int argc, char** argv) {
  Config cfg;
  if (!Env("OPSFLOW_LISTEN").empty()) cfg.listen = Env("OPSFLOW_LISTEN");
  if (!Env("OPSFLOW_DATA").empty()) cfg.data = Env("OPSFLOW_DATA");
  CLI::App app{"opsflow server"};
  app.add_option("--listen", cfg.listen, "HOST:PORT to listen on (OPSFLOW_LISTEN)");
  app.add_option("--data", cfg.data, "data directory for the embedded store (OPSFLOW_DATA)");
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
  app.add_option("--max-child-loop", cfg.max_child_loop,
                 "most data_array elements (child jobs) one childJob loop may have");
  app.add_option("--token-ttl", cfg.token_ttl_s, "token lifetime in seconds");
  app.add_option("--adapter-task-timeout", cfg.adapter_task_timeout_ms,
                 "ms an adapter task may wait for external workers before it errors");
  app.add_option("--rest-timeout", cfg.rest_timeout_ms, "restCall total timeout in ms")
      ->envname("OPSFLOW_REST_TIMEOUT");
  app.add_option("--rest-max-response-bytes", cfg.rest_max_response_bytes,
                 "largest restCall response body")
      ->envname("OPSFLOW_REST_MAX_RESPONSE_BYTES");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  std::string host;
  uint16_t port = 0;
  if (!SplitListen(cfg.listen, &host, &port)) return Fail("--listen must be HOST:PORT");

  // Block the shutdown signals before any thread starts, then wait for them below.
  sigset_t sigs;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto store = sqlite::SqliteStore::Open(cfg.data);
  if (!store.ok()) return Fail(store.status().message());
  auto secret_box = OpenSecretBox(secret_key_file, cfg.data);
  if (!secret_box.ok()) return Fail(secret_box.status().message());
  base::Clock* clock = base::SystemClock::Get();
  auth::AuthOptions auth_opts;
  auth_opts.token_ttl_ms = cfg.token_ttl_s * 1000;
  auth::Accounts accounts(store->get(), clock, auth_opts);
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
  runtime::RuntimeOptions ro;
  ro.task_workers = cfg.task_workers;
  ro.engine.max_task_iterations = cfg.max_task_iterations;
  ro.adapter_task_timeout_ms = cfg.adapter_task_timeout_ms;
  ro.max_child_loop = cfg.max_child_loop;
  ro.secret_box = secret_box->get();
  ro.events.history = cfg.event_history;
  ro.events.linger_ms = cfg.event_linger_ms;
  ro.task_visibility = [&accounts](const std::string& user, std::string_view groups_json) {
    auto initiator = accounts.Find(user);
    return auth::JobTaskVisibility(initiator.ok() ? &*initiator : nullptr, groups_json);
  };
  tasks::RestCallLimits rest = tasks::GetRestCallLimits();
  rest.timeout_ms = cfg.rest_timeout_ms;
  rest.max_response_bytes = static_cast<int64_t>(cfg.rest_max_response_bytes);
  tasks::SetRestCallLimits(rest);
  runtime::Runtime rt(store->get(), store->get(), clock, ro);
  if (auto st = rt.Start(); !st.ok()) return Fail(st.message());
  // Automations and triggers; started once the API has given it its job-start port.
  runtime::TriggerService triggers(store->get(), clock);
  if (auto st = triggers.Load(); !st.ok()) return Fail(st.message());
  api::ApiOptions ao;
  ao.max_body_bytes = cfg.max_body_bytes;
  ao.max_json_depth = cfg.max_json_depth;
  ao.max_list_limit = cfg.max_list_limit;
  ao.event_heartbeat_ms = cfg.event_heartbeat_ms;
  ao.event_queue_bytes = cfg.event_queue_bytes;
  auto api = std::make_shared<api::Api>(
      api::ApiDeps{&rt, store->get(), store->get(), &accounts, &triggers}, ao);
  if (auto st = api->Init(); !st.ok()) return Fail(st.message());
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
  http::Server server(so, api);
  if (auto st = server.Start(); !st.ok()) return Fail(st.message());
  base::LogInfo("opsflow listening", "\"address\":\"" + host + ":" + std::to_string(server.port()) +
                                         "\",\"data\":\"" + base::JsonEscape(cfg.data) + "\"");
  int sig = 0;
  sigwait(&sigs, &sig);
  base::LogInfo("shutting down", "\"signal\":" + std::to_string(sig));
  api->Drain();
  server.Stop();
  triggers.Stop();
  rt.Stop();
  base::LogInfo("stopped");
  return 0;
}

}  // namespace opsflow::server
