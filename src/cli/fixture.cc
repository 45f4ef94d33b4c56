#include "cli/fixture.h"

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "cli/api_client.h"
#include "cli/commands.h"
#include "json/parse.h"

namespace opsflow::cli {
namespace bj = boost::json;
namespace {

base::Result<bj::object> ReadFixture(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::NotFound("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  auto v = json::Parse(ss.str(), {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok()) return base::InvalidArgument(path + ": " + v.status().message());
  if (!v->is_object() || !v->get_object().contains("stubTasks")) {
    return base::InvalidArgument(path + " is not a job fixture (no stubTasks)");
  }
  return std::move(v->as_object());
}

std::string WorkflowOf(const FixtureArgs& args, const std::string& file) {
  return args.workflow.empty() ? FixtureWorkflowName(file) : args.workflow;
}

base::Status RegisterStubs(ApiClient& client, const std::string& workflow,
                           const bj::object& fixture, bool dry_run_adapters) {
  (void)client.Send("DELETE", "/adapter-stubs/" + UrlEncode(workflow));
  bj::object body{{"workflow", workflow}, {"stubTasks", fixture.at("stubTasks")}};
  // As in the recorded IAP runs, adapter tasks the fixture does not stub succeed with no
  // outputs (a dry run) unless --unstubbed-adapters wait.
  if (dry_run_adapters) {
    body["adapterDefault"] = bj::object{{"finish_state", "success"}, {"outgoing", bj::object()}};
  }
  bj::value payload = std::move(body);
  auto r = client.Call("POST", "/adapter-stubs", &payload);
  return r.ok() ? base::Status::Ok() : r.status();
}

bj::object WithoutIds(bj::value v) {
  bj::object o = v.is_object() ? std::move(v.as_object()) : bj::object();
  o.erase("_id");
  o.erase("initiator");
  return o;
}

std::string Short(const bj::value& v) {
  std::string s = bj::serialize(v);
  return s.size() > 200 ? s.substr(0, 200) + "..." : s;
}

}  // namespace

std::string FixtureWorkflowName(const std::string& path) {
  std::string name = path.substr(path.find_last_of('/') + 1);
  if (name.size() > 5 && name.substr(name.size() - 5) == ".json") name.resize(name.size() - 5);
  if (size_t k = name.rfind("__stubs__"); k != std::string::npos) name = name.substr(k + 9);
  // Strip a "Job<N>" suffix that follows a space or an underscore.
  size_t job = name.rfind("Job");
  if (job != std::string::npos && job > 0 && (name[job - 1] == ' ' || name[job - 1] == '_') &&
      name.find_first_not_of("0123456789", job + 3) == std::string::npos) {
    name.resize(job - 1);
  }
  for (char& ch : name) {
    if (ch == '_') ch = ' ';
  }
  return name;
}

std::vector<std::string> JsonDiff(const bj::value& expected, const bj::value& actual,
                                  const std::string& path) {
  std::vector<std::string> out;
  if (expected.is_object() && actual.is_object()) {
    const bj::object& e = expected.get_object();
    const bj::object& a = actual.get_object();
    for (const auto& kv : e) {
      std::string p = path + "/" + std::string(kv.key());
      if (auto it = a.find(kv.key()); it == a.end()) {
        out.push_back(p + ": expected " + Short(kv.value()) + ", missing");
      } else {
        auto sub = JsonDiff(kv.value(), it->value(), p);
        out.insert(out.end(), sub.begin(), sub.end());
      }
    }
    for (const auto& kv : a) {
      if (!e.contains(kv.key())) {
        out.push_back(path + "/" + std::string(kv.key()) + ": unexpected " + Short(kv.value()));
      }
    }
    return out;
  }
  if (expected.is_array() && actual.is_array() &&
      expected.get_array().size() == actual.get_array().size()) {
    for (size_t i = 0; i < expected.get_array().size(); ++i) {
      auto sub =
          JsonDiff(expected.get_array()[i], actual.get_array()[i], path + "/" + std::to_string(i));
      out.insert(out.end(), sub.begin(), sub.end());
    }
    return out;
  }
  bool equal = expected == actual;
  if (!equal && expected.is_number() && actual.is_number()) {
    equal = expected.to_number<double>() == actual.to_number<double>();
  }
  if (!equal) {
    out.push_back((path.empty() ? "/" : path) + ": expected " + Short(expected) + ", got " +
                  Short(actual));
  }
  return out;
}

int RunStubCommand(ApiClient& client, const FixtureArgs& args, std::ostream& out,
                   std::ostream& err) {
  if (args.action == "clear") {
    auto r = client.Call("DELETE", "/adapter-stubs/" + UrlEncode(args.workflow));
    if (!r.ok()) {
      err << "error: " << r.status().message() << "\n";
      return 1;
    }
    out << "removed the stubs of " << args.workflow << "\n";
    return 0;
  }
  int rc = 0;
  for (const std::string& file : args.files) {
    auto fixture = ReadFixture(file);
    std::string workflow = WorkflowOf(args, file);
    base::Status st =
        fixture.ok() ? RegisterStubs(client, workflow, *fixture, false) : fixture.status();
    if (!st.ok()) {
      err << "error: " << st.message() << "\n";
      rc = 1;
      continue;
    }
    out << "registered " << fixture->at("stubTasks").as_array().size() << " stub(s) for "
        << workflow << "\n";
  }
  return rc;
}

// Runs one fixture; returns the failure lines (empty when it passed).
static std::vector<std::string> RunOne(ApiClient& client, const FixtureArgs& args,
                                       const std::string& file, std::string* workflow) {
  auto fixture = ReadFixture(file);
  if (!fixture.ok()) return {fixture.status().message()};
  *workflow = WorkflowOf(args, file);
  if (auto st = RegisterStubs(client, *workflow, *fixture, args.unstubbed_adapters != "wait");
      !st.ok()) {
    return {st.message()};
  }
  bj::object options{{"variables", bj::object()}};
  if (const bj::value* in = fixture->if_contains("input"); in && in->is_object()) {
    if (const bj::value* v = in->get_object().if_contains("variables"); v && v->is_object()) {
      options["variables"] = *v;
    }
    if (const bj::value* d = in->get_object().if_contains("description"); d && d->is_string()) {
      options["description"] = *d;
    }
  }
  bj::value body = bj::object{{"workflow", *workflow}, {"options", options}};
  auto started = client.Call("POST", "/operations-manager/jobs/start", &body);
  if (!started.ok()) return {started.status().message()};
  const bj::value& job = EnvelopeData(*started);
  std::string id(job.at("_id").as_string());
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(static_cast<int64_t>(args.timeout_s * 1000));
  bj::value doc;
  while (true) {
    auto r =
        client.Call("GET", "/operations-manager/jobs/" + id + "?include=status,variables,error");
    if (!r.ok()) return {r.status().message()};
    doc = EnvelopeData(*r);
    std::string status(doc.at("status").as_string());
    if (status != "running") break;
    if (std::chrono::steady_clock::now() > deadline) {
      return {"job " + id + " still running after " + std::to_string(args.timeout_s) + " s"};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const bj::object& expected_all = fixture->at("expectedTaskResults").as_object();
  std::vector<std::string> fails;
  const bj::value& want_status = expected_all.at("status");
  if (doc.at("status") != want_status) {
    fails.push_back(
        "/status: expected " + Short(want_status) + ", got " + Short(doc.at("status")) +
        (doc.get_object().contains("error") ? " (errors: " + Short(doc.at("error")) + ")" : ""));
  }
  bj::value want_vars = WithoutIds(expected_all.contains("variables") ? expected_all.at("variables")
                                                                      : bj::value(bj::object()));
  bj::value got_vars = WithoutIds(doc.at("variables"));
  for (auto& line : JsonDiff(want_vars, got_vars, "/variables")) fails.push_back(line);
  if (!fails.empty()) fails.insert(fails.begin(), "job " + id);
  return fails;
}

int RunFixtures(ApiClient& client, const FixtureArgs& args, std::ostream& out, std::ostream& err) {
  int failed = 0;
  for (const std::string& file : args.files) {
    std::string workflow;
    std::vector<std::string> fails = RunOne(client, args, file, &workflow);
    std::string name = file.substr(file.find_last_of('/') + 1);
    if (fails.empty()) {
      out << "PASS " << name << "\n";
      continue;
    }
    ++failed;
    out << "FAIL " << name << " (workflow '" << workflow << "')\n";
    for (const auto& f : fails) out << "  " << f << "\n";
  }
  out << (args.files.size() - failed) << " passed, " << failed << " failed\n";
  if (failed) err << "error: " << failed << " fixture(s) failed\n";
  return failed ? 1 : 0;
}

}  // namespace opsflow::cli
