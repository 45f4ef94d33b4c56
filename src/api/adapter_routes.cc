// Adapter instance health as IAP's Health application shows it (SPEC §7, IAP-REFERENCE §11):
// adapter hosts (adapters/host) report their instances' states with POST
// /adapter-workers/status (an opsflow extension), and GET /health/adapters and
// /health/adapters/:name answer from the latest reports. Reports live in memory (a restarted
// server knows the instances again within one heartbeat, 5 s).
// Thread-safety: the handlers are safe from any thread (the reports are behind a mutex).
#include <iterator>
#include <map>
#include <mutex>
#include <string>

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

// {worker, adapters: [{id, type, package_id, state}]}: replaces that worker's instances.
void ReportAdapterStatus(Api::State& s, Call& c) {
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
void ListAdapterHealth(Api::State&, Call& c) {
  int64_t now = base::SystemClock::Get()->NowMs();
  bj::array results;
  Registry& r = Reports();
  {
    std::lock_guard<std::mutex> lock(r.mu);
    for (const auto& [id, in] : r.by_id) results.push_back(View(id, in, now));
  }
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetAdapterHealth(Api::State&, Call& c) {
  int64_t now = base::SystemClock::Get()->NowMs();
  Registry& r = Reports();
  std::lock_guard<std::mutex> lock(r.mu);
  auto it = r.by_id.find(c.params[0]);
  if (it == r.by_id.end()) {
    ReplyError(c, 404, "Adapter '" + c.params[0] + "' is not served by any adapter host");
    return;
  }
  Reply(c, 200, View(it->first, it->second, now));
}

}  // namespace

std::span<const Route> AdapterRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/adapter-workers/status", ReportAdapterStatus, true},
      {"GET", "/health/adapters", ListAdapterHealth, true},
      {"GET", "/health/adapters/:name", GetAdapterHealth, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
