// GET /health/applications[/:name] and GET /health/system (IAP's Health application, IAP-REFERENCE
// §11). Applications: opsflow's own parts under IAP's application names, each in IAP's shape
// {id, package_id, version, type: "Application", description, state: "RUNNING", connection,
// uptime (seconds this process has run), memoryUsage, cpuUsage, pid} — they all live in this one
// process, so they share its uptime, memory and CPU figures; the list is {results, total} as
// /health/adapters answers. An unknown name is a 404. System: IAP's {arch, release, uptime,
// freemem, totalmem, loadavg, cpus: [{model, speed, times}]} read from the host (Linux /proc,
// sysinfo, uname), plus opsflow's own `disk` of the data folder {path, total, free, available}
// in bytes (statvfs; absent when the server has no data folder).
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "api/state.h"

namespace opsflow::api {
namespace {

// When this process started (static initialisation, before main).
const std::chrono::steady_clock::time_point kProcessStart = std::chrono::steady_clock::now();

struct App {
  const char* id;
  const char* package_id;
  const char* description;
};

constexpr App kApps[] = {
    {"AutomationStudio", "@itential/app-automation_studio", "Workflows, their import and export"},
    {"Jst", "@itential/app-jst", "JSON transformations (JST)"},
    {"OperationsManager", "@itential/app-operations_manager",
     "Jobs, tasks, automations and triggers"},
    {"WorkFlowEngine", "@itential/app-workflow_engine", "The engine that runs jobs and tasks"},
    {"WorkflowBuilder", "@itential/app-workflow_builder", "Workflow import, export and deletion"},
};

double UptimeSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - kProcessStart).count();
}

// Resident set size in bytes (/proc/self/statm), 0 when unreadable.
int64_t RssBytes() {
  std::ifstream in("/proc/self/statm");
  int64_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<int64_t>(sysconf(_SC_PAGESIZE));
}

bj::object AppView(const App& a, const std::string& version) {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  auto micros = [](const timeval& t) { return int64_t(t.tv_sec) * 1'000'000 + t.tv_usec; };
  int64_t rss = RssBytes();
  return bj::object{
      {"id", a.id},
      {"package_id", a.package_id},
      {"version", version},
      {"type", "Application"},
      {"description", a.description},
      {"state", "RUNNING"},
      {"connection", bj::object{{"state", "ONLINE"}}},
      {"uptime", UptimeSeconds()},
      {"memoryUsage", bj::object{{"rss", rss}}},
      {"cpuUsage", bj::object{{"user", micros(ru.ru_utime)}, {"system", micros(ru.ru_stime)}}},
      {"pid", static_cast<int64_t>(getpid())}};
}

void ListApplications(Api::State& s, Call& c) {
  bj::array results;
  for (const App& a : kApps) results.push_back(AppView(a, s.opts.release));
  int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

void GetApplication(Api::State& s, Call& c) {
  for (const App& a : kApps) {
    if (c.params[0] == a.id) {
      Reply(c, 200, AppView(a, s.opts.release));
      return;
    }
  }
  ReplyError(c, 404, "Application '" + c.params[0] + "' not found");
}

// Node's names for uname's machine.
std::string Arch(const std::string& machine) {
  if (machine == "x86_64") return "x64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i386" || machine == "i686") return "ia32";
  return machine;
}

// One entry per CPU: model and MHz from /proc/cpuinfo, times (ms) from /proc/stat.
bj::array Cpus() {
  std::vector<std::pair<std::string, int64_t>> info;
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      size_t colon = line.find(':');
      if (colon == std::string::npos) continue;
      std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
      std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
      if (key == "processor") info.emplace_back("", 0);
      if (info.empty()) continue;
      if (key == "model name") info.back().first = value;
      if (key == "cpu MHz") info.back().second = static_cast<int64_t>(std::atof(value.c_str()));
    }
  }
  const int64_t ms_per_tick = 1000 / std::max<long>(1, sysconf(_SC_CLK_TCK));
  bj::array out;
  std::ifstream in("/proc/stat");
  std::string line;
  size_t i = 0;
  while (std::getline(in, line)) {
    if (line.rfind("cpu", 0) != 0 || line.size() < 4 || line[3] < '0' || line[3] > '9') continue;
    std::istringstream ls(line);
    std::string name;
    int64_t user = 0, nice = 0, sys = 0, idle = 0, iowait = 0, irq = 0;
    ls >> name >> user >> nice >> sys >> idle >> iowait >> irq;
    std::string model = i < info.size() ? info[i].first : "";
    int64_t speed = i < info.size() ? info[i].second : 0;
    out.push_back(bj::object{{"model", model},
                             {"speed", speed},
                             {"times", bj::object{{"user", user * ms_per_tick},
                                                  {"nice", nice * ms_per_tick},
                                                  {"sys", sys * ms_per_tick},
                                                  {"idle", idle * ms_per_tick},
                                                  {"irq", irq * ms_per_tick}}}});
    ++i;
  }
  if (out.empty()) {  // no /proc/stat: the count alone
    for (long n = sysconf(_SC_NPROCESSORS_ONLN); n > 0; --n) {
      out.push_back(bj::object{{"model", ""}, {"speed", 0}, {"times", bj::object{}}});
    }
  }
  return out;
}

// Admins only, as /metrics: the host's kernel, CPUs, memory and the data folder's path are of
// use to whoever runs the server, and to no one else.
void GetSystem(Api::State& s, Call& c) {
  if (!RequireAdmin(c, "read the host's system health")) return;
  bj::object out;
  struct utsname u {};
  if (uname(&u) == 0) {
    out["arch"] = Arch(u.machine);
    out["release"] = u.release;
  }
  struct sysinfo si {};
  if (sysinfo(&si) == 0) {
    out["uptime"] = static_cast<int64_t>(si.uptime);
    out["freemem"] = static_cast<int64_t>(si.freeram) * si.mem_unit;
    out["totalmem"] = static_cast<int64_t>(si.totalram) * si.mem_unit;
  }
  double load[3] = {0, 0, 0};
  int n = getloadavg(load, 3);
  bj::array loadavg;
  for (int i = 0; i < 3; ++i) loadavg.emplace_back(i < n ? load[i] : 0.0);
  out["loadavg"] = std::move(loadavg);
  out["cpus"] = Cpus();
  if (!s.opts.data_dir.empty()) {
    struct statvfs fs {};
    if (statvfs(s.opts.data_dir.c_str(), &fs) == 0) {
      auto bytes = [&](fsblkcnt_t blocks) { return static_cast<int64_t>(blocks) * fs.f_frsize; };
      out["disk"] = bj::object{{"path", s.opts.data_dir},
                               {"total", bytes(fs.f_blocks)},
                               {"free", bytes(fs.f_bfree)},
                               {"available", bytes(fs.f_bavail)}};
    }
  }
  Reply(c, 200, out);
}

}  // namespace

std::span<const Route> HealthRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/health/applications", ListApplications, true},
      {"GET", "/health/applications/:name", GetApplication, true},
      {"GET", "/health/system", GetSystem, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
