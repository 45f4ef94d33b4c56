#include "server/serve.h"

#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "api/api.h"
#include "auth/accounts.h"
#include "base/log.h"
#include "http/server.h"
#include "runtime/runtime.h"
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
  int64_t token_ttl_s = 3600;
  int64_t adapter_task_timeout_ms = 5 * 60 * 1000;
  int64_t rest_timeout_ms = 60'000;
  size_t rest_max_response_bytes = 10 * 1024 * 1024;
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
  app.add_option("--io-threads", cfg.io_threads, "HTTP threads");
  app.add_option("--task-workers", cfg.task_workers, "threads running built-in tasks");
  app.add_option("--max-body-bytes", cfg.max_body_bytes, "largest request body");
  app.add_option("--max-json-depth", cfg.max_json_depth, "deepest JSON nesting accepted");
  app.add_option("--max-task-iterations", cfg.max_task_iterations, "runs of one task per job");
  app.add_option("--token-ttl", cfg.token_ttl_s, "token lifetime in seconds");
  app.add_option("--adapter-task-timeout", cfg.adapter_task_timeout_ms,
                 "ms an adapter task may wait for external workers before it errors");
  app.add_option("--rest-timeout", cfg.rest_timeout_ms, "restCall total timeout in ms");
  app.add_option("--rest-max-response-bytes", cfg.rest_max_response_bytes,
                 "largest restCall response body");
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
  tasks::RestCallLimits rest = tasks::GetRestCallLimits();
  rest.timeout_ms = cfg.rest_timeout_ms;
  rest.max_response_bytes = static_cast<int64_t>(cfg.rest_max_response_bytes);
  tasks::SetRestCallLimits(rest);
  runtime::Runtime rt(store->get(), store->get(), clock, ro);
  if (auto st = rt.Start(); !st.ok()) return Fail(st.message());
  api::ApiOptions ao;
  ao.max_body_bytes = cfg.max_body_bytes;
  ao.max_json_depth = cfg.max_json_depth;
  auto api =
      std::make_shared<api::Api>(api::ApiDeps{&rt, store->get(), store->get(), &accounts}, ao);
  if (auto st = api->Init(); !st.ok()) return Fail(st.message());
  http::ServerOptions so;
  so.address = host;
  so.port = port;
  so.threads = cfg.io_threads;
  so.max_body_bytes = cfg.max_body_bytes;
  http::Server server(so, api);
  if (auto st = server.Start(); !st.ok()) return Fail(st.message());
  base::LogInfo("opsflow listening", "\"address\":\"" + host + ":" + std::to_string(server.port()) +
                                         "\",\"data\":\"" + base::JsonEscape(cfg.data) + "\"");
  int sig = 0;
  sigwait(&sigs, &sig);
  base::LogInfo("shutting down", "\"signal\":" + std::to_string(sig));
  api->Drain();
  server.Stop();
  rt.Stop();
  base::LogInfo("stopped");
  return 0;
}

}  // namespace opsflow::server
