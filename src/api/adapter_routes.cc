// IAP's Adapters application (issue #14, IAP-REFERENCE §11) and adapter health:
// * /adapters: the adapter instances the server stores (api/adapter_store.h), managed as IAP
//   manages service configs: POST, GET, PUT, DELETE, properties, loglevel, start, stop,
//   restart, export, import. Changes are for admins; readers that may not run adapters see
//   secret-looking values masked. GET /adapters has an ETag: adapter hosts poll it with
//   If-None-Match (a 304 costs one store listing) to pick up changes within a second.
// * Health as IAP's Health application shows it (SPEC §7): adapter hosts (adapters/host) report
//   their instances' states with POST /adapter-workers/status (an opsflow extension; admins and
//   the group kAdapterHostsGroup only), and GET /health/adapters and /health/adapters/:name
//   answer from the latest reports, plus the stored instances no host reports (STOPPED).
//   Reports live in memory (a restarted server knows the instances again within one
//   heartbeat, 5 s).
// Thread-safety: the handlers are safe from any thread (the reports are behind a mutex).
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "api/adapter_store.h"
#include "api/state.h"
#include "base/clock.h"

namespace opsflow::api {
namespace {

// A host that has not reported for this long is taken for gone: its instances show STOPPED.
constexpr int64_t kStaleMs = 15'000;
constexpr size_t kMaxInstances = 1000;
constexpr size_t kMaxName = 200;

struct Instance {
  std::string package_id;
  std::string app;  // pronghorn.json export: the tasks' `app`
  std::string connection;  // ONLINE, OFFLINE, DEGRADED, STARTING
  std::string worker;
  int64_t last_seen_ms = 0;
};

// The latest reports of every host, by instance id.
struct Registry {
  std::mutex mu;
  std::map<std::string, Instance> by_id;
};

Registry& Reports() {
  static Registry* r = new Registry();  // process-wide; never destroyed
  return *r;
}

bool ShortString(const bj::object& o, const char* key, bool required, std::string* out) {
  const bj::value* v = o.if_contains(key);
  if (!v) return !required;
  if (!v->is_string() || v->get_string().size() > kMaxName) return false;
  *out = std::string(v->get_string());
  return !required || !out->empty();
}

bj::object View(const std::string& id, const Instance& in, int64_t now) {
  bool running = now - in.last_seen_ms <= kStaleMs;
  return bj::object{{"id", id},
                    {"package_id", in.package_id},
                    {"type", "Adapter"},
                    {"app", in.app},
                    {"state", running ? "RUNNING" : "STOPPED"},
                    {"connection", bj::object{{"state", running ? in.connection : "OFFLINE"}}},
                    {"worker", in.worker},
                    {"lastSeen", base::IsoTime(in.last_seen_ms)}};
}

std::string StoredName(const StoredAdapter& a) {
  const bj::value* n = a.data.if_contains("name");
  return n && n->is_string() ? std::string(n->get_string()) : std::string();
}

// A stored instance no host reports: STOPPED.
bj::object UnreportedView(const StoredAdapter& a) {
  std::string app;
  if (const bj::value* p = a.data.if_contains("properties"); p && p->is_object()) {
    if (const bj::value* t = p->get_object().if_contains("type"); t && t->is_string()) {
      app = std::string(t->get_string());
    }
  }
  const bj::value* model = a.data.if_contains("model");
  return bj::object{{"id", StoredName(a)},
                    {"package_id", model && model->is_string() ? *model : bj::value("")},
                    {"type", "Adapter"},
                    {"app", app},
                    {"state", "STOPPED"},
                    {"connection", bj::object{{"state", "OFFLINE"}}},
                    {"worker", ""},
                    {"lastSeen", nullptr}};
}

// {worker, adapters: [{id, type, package_id, state}]}: replaces that worker's instances.
void ReportAdapterStatus(Api::State& s, Call& c) {
  if (!MayRunAdapters(*s.deps.accounts, c.account)) {
    ReplyError(c, 403,
               "only an admin or a member of the group '" + std::string(kAdapterHostsGroup) +
                   "' may report adapter health; '" +
                   (c.account ? c.account->username : std::string()) + "' is neither");
    return;
  }
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  std::string worker;
  if (!ShortString(body, "worker", true, &worker)) {
    ReplyError(c, 400, "'worker' (a name of at most 200 characters) is required");
    return;
  }
  const bj::value* list = body.if_contains("adapters");
  if (!list || !list->is_array() || list->get_array().size() > kMaxInstances) {
    ReplyError(c, 400, "'adapters' must be an array of at most 1000 {id, type, package_id, state}");
    return;
  }
  int64_t now = base::SystemClock::Get()->NowMs();
  std::map<std::string, Instance> got;
  for (const bj::value& a : list->get_array()) {
    Instance in;
    std::string id;
    if (!a.is_object() || !ShortString(a.get_object(), "id", true, &id) ||
        !ShortString(a.get_object(), "type", false, &in.app) ||
        !ShortString(a.get_object(), "package_id", false, &in.package_id) ||
        !ShortString(a.get_object(), "state", true, &in.connection)) {
      ReplyError(c, 400,
                 "each of 'adapters' must be {id, type, package_id, state} with strings of at "
                 "most 200 characters");
      return;
    }
    if (in.connection != "ONLINE" && in.connection != "OFFLINE" && in.connection != "DEGRADED" &&
        in.connection != "STARTING") {
      ReplyError(c, 400, "adapter '" + id + "': state must be ONLINE, OFFLINE, DEGRADED or STARTING");
      return;
    }
    in.worker = worker;
    in.last_seen_ms = now;
    got[id] = std::move(in);
  }
  Registry& r = Reports();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    for (auto it = r.by_id.begin(); it != r.by_id.end();) {
      it = it->second.worker == worker ? r.by_id.erase(it) : std::next(it);
    }
    for (auto& [id, in] : got) r.by_id[id] = std::move(in);
  }
  ReplyEnvelope(c, std::to_string(got.size()) + " adapter(s) reported", bj::value(worker));
}

// {results: [{id, package_id, type, app, state, connection: {state}, worker, lastSeen}], total}
void ListAdapterHealth(Api::State& s, Call& c) {
  int64_t now = base::SystemClock::Get()->NowMs();
  bj::array results;
  std::set<std::string> reported;
  Registry& r = Reports();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& [id, in] : r.by_id) {
      results.push_back(View(id, in, now));
      reported.insert(id);
    }
  }
  if (auto stored = AdapterStore(s.deps.docs).List(); stored.ok()) {
    for (const StoredAdapter& a : *stored) {
      if (!reported.contains(StoredName(a))) results.push_back(UnreportedView(a));
    }
  }
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetAdapterHealth(Api::State& s, Call& c) {
  int64_t now = base::SystemClock::Get()->NowMs();
  {
    Registry& r = Reports();
    std::lock_guard<std::mutex> lock(r.mu);
    auto it = r.by_id.find(c.params[0]);
    if (it != r.by_id.end()) {
      Reply(c, 200, View(it->first, it->second, now));
      return;
    }
  }
  if (auto stored = AdapterStore(s.deps.docs).Get(c.params[0]); stored.ok()) {
    Reply(c, 200, UnreportedView(*stored));
    return;
  }
  ReplyError(c, 404, "Adapter '" + c.params[0] + "' is not served by any adapter host");
}

// ---- /adapters: the stored instances ----

// IAP's answer to a change: {status, message, data}.
void ReplyChange(Call& c, const std::string& message, bj::value data) {
  Reply(c, 200, bj::object{{"status", "OK"}, {"message", message}, {"data", std::move(data)}});
}

bj::value DataFor(Api::State& s, const Call& c, const StoredAdapter& a) {
  if (MayRunAdapters(*s.deps.accounts, c.account)) return a.data;
  return MaskSecrets(a.data);
}

// {metadata: {isActive, activeSync, state, generation}, data, virtual}
bj::object Item(Api::State& s, const Call& c, const StoredAdapter& a) {
  return bj::object{{"metadata", bj::object{{"isActive", a.running},
                                            {"activeSync", true},
                                            {"state", a.running ? "RUNNING" : "STOPPED"},
                                            {"generation", a.generation}}},
                    {"data", DataFor(s, c, a)},
                    {"virtual", false}};
}

void ListAdapters(Api::State& s, Call& c) {
  auto all = AdapterStore(s.deps.docs).List();
  if (!all.ok()) return ReplyError(c, all.status());
  std::string etag = AdapterStore::Etag(*all);
  // The tag also depends on what this caller may see (masked or not).
  etag.insert(etag.size() - 1, MayRunAdapters(*s.deps.accounts, c.account) ? "-c" : "-m");
  Response r;
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  if (c.req.Header("if-none-match") == etag) {
    r.status = 304;
    r.content_type.clear();
    c.done(std::move(r));
    return;
  }
  bj::array results;
  for (const StoredAdapter& a : *all) results.push_back(Item(s, c, a));
  int64_t total = static_cast<int64_t>(results.size());
  r.body = bj::serialize(bj::object{{"results", std::move(results)}, {"total", total}});
  c.done(std::move(r));
}

void GetAdapter(Api::State& s, Call& c) {
  auto a = AdapterStore(s.deps.docs).Get(c.params[0]);
  if (!a.ok()) return ReplyError(c, a.status());
  Reply(c, 200, Item(s, c, *a));
}

void ExportAdapter(Api::State& s, Call& c) {
  auto a = AdapterStore(s.deps.docs).Get(c.params[0]);
  if (!a.ok()) return ReplyError(c, a.status());
  Reply(c, 200, DataFor(s, c, *a));
}

void CreateAdapter(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "create adapter instances")) return;
  bj::value body;
  if (!ParseBody(s, c, &body)) return;
  auto a = AdapterStore(s.deps.docs).Create(body);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyChange(c, "Adapter '" + StoredName(*a) + "' created", a->data);
}

void ImportAdapter(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "import adapter instances")) return;
  bj::value body;
  if (!ParseBody(s, c, &body)) return;
  auto a = AdapterStore(s.deps.docs).Import(body);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyChange(c, "Adapter '" + StoredName(*a) + "' imported", a->data);
}

void UpdateAdapter(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "change adapter instances")) return;
  bj::value body;
  if (!ParseBody(s, c, &body)) return;
  auto a = AdapterStore(s.deps.docs).Replace(c.params[0], body);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyChange(c, "Adapter '" + c.params[0] + "' updated", a->data);
}

void DeleteAdapter(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "delete adapter instances")) return;
  base::Status st = AdapterStore(s.deps.docs).Delete(c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyChange(c, "Adapter '" + c.params[0] + "' deleted", bj::object{{"name", c.params[0]}});
}

// {properties: {...}}: what the adapter's constructor receives.
void UpdateAdapterProperties(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "change adapter instances")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* props = body.if_contains("properties");
  if (!props || !props->is_object()) {
    return ReplyError(c, 400, "body must be {\"properties\": {...}} (the adapter's properties)");
  }
  auto a = AdapterStore(s.deps.docs).SetProperties(c.params[0], *props);
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyChange(c, "Adapter '" + c.params[0] + "' properties updated", a->data);
}

// {level, transport?: file|console}
void UpdateAdapterLogLevel(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "change adapter instances")) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* level = body.if_contains("level");
  const bj::value* transport = body.if_contains("transport");
  if (!level || !level->is_string() || (transport && !transport->is_string())) {
    return ReplyError(c, 400, "body must be {\"level\": \"debug\", \"transport\": \"file\"|\"console\"}");
  }
  auto a = AdapterStore(s.deps.docs)
               .SetLogLevel(c.params[0], std::string(level->get_string()),
                            transport ? std::string(transport->get_string()) : std::string());
  if (!a.ok()) return ReplyError(c, a.status());
  ReplyChange(c, "Adapter '" + c.params[0] + "' log level set to " +
                     std::string(level->get_string()),
              a->data);
}

void ControlAdapter(Api::State& s, Call& c, AdapterStore::Action action, const char* verb) {
  if (!RequireAdmin(c, std::string(verb) + " adapter instances")) return;
  auto before = AdapterStore(s.deps.docs).Get(c.params[0]);
  if (!before.ok()) return ReplyError(c, before.status());
  auto a = AdapterStore(s.deps.docs).Control(c.params[0], action);
  if (!a.ok()) return ReplyError(c, a.status());
  std::string msg = "Adapter '" + c.params[0] + "' ";
  if (action == AdapterStore::Action::kStart && before->running) {
    msg += "is already running";
  } else if (action == AdapterStore::Action::kStop && !before->running) {
    msg += "is already stopped";
  } else {
    msg += action == AdapterStore::Action::kStart  ? "started"
           : action == AdapterStore::Action::kStop ? "stopped"
                                                   : "restarted";
  }
  ReplyChange(c, msg,
              bj::object{{"name", c.params[0]}, {"state", a->running ? "RUNNING" : "STOPPED"}});
}

void StartAdapter(Api::State& s, Call& c) { ControlAdapter(s, c, AdapterStore::Action::kStart, "start"); }
void StopAdapter(Api::State& s, Call& c) { ControlAdapter(s, c, AdapterStore::Action::kStop, "stop"); }
void RestartAdapter(Api::State& s, Call& c) {
  ControlAdapter(s, c, AdapterStore::Action::kRestart, "restart");
}

}  // namespace

std::set<std::string> ServedAdapterApps(store::DocStore* docs) {
  std::set<std::string> apps;
  int64_t now = base::SystemClock::Get()->NowMs();
  {
    Registry& r = Reports();
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& [id, in] : r.by_id) {
      if (now - in.last_seen_ms <= kStaleMs) apps.insert(in.app);
    }
  }
  if (auto stored = AdapterStore(docs).List(); stored.ok()) {
    for (const StoredAdapter& a : *stored) {
      if (a.running) apps.insert(UnreportedView(a)["app"].as_string().c_str());
    }
  }
  return apps;
}

std::span<const Route> AdapterRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/adapter-workers/status", ReportAdapterStatus, true},
      {"GET", "/health/adapters", ListAdapterHealth, true},
      {"GET", "/health/adapters/:name", GetAdapterHealth, true},
      {"POST", "/adapters", CreateAdapter, true},
      {"GET", "/adapters", ListAdapters, true},
      {"POST", "/adapters/import", ImportAdapter, true},
      {"GET", "/adapters/:name", GetAdapter, true},
      {"PUT", "/adapters/:name", UpdateAdapter, true},
      {"DELETE", "/adapters/:name", DeleteAdapter, true},
      {"GET", "/adapters/:name/export", ExportAdapter, true},
      {"PUT", "/adapters/:name/properties", UpdateAdapterProperties, true},
      {"PUT", "/adapters/:name/loglevel", UpdateAdapterLogLevel, true},
      {"PUT", "/adapters/:name/start", StartAdapter, true},
      {"PUT", "/adapters/:name/stop", StopAdapter, true},
      {"PUT", "/adapters/:name/restart", RestartAdapter, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
