#include "cli/commands.h"

#include <algorithm>
#include <boost/json.hpp>
#include <limits>
#include <map>

#include "cli/api_client.h"
#include "cli/format.h"
#include "cli/start_wait.h"
#include "cli/vars.h"

namespace opsflow::cli {

namespace bj = boost::json;

namespace {

const bj::value* Find(const bj::value& v, std::string_view key) {
  return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

const bj::value* FindPath(const bj::value& v, std::initializer_list<std::string_view> path) {
  const bj::value* cur = &v;
  for (std::string_view key : path) {
    cur = Find(*cur, key);
    if (!cur) return nullptr;
  }
  return cur;
}

std::string Text(const bj::value& v, std::initializer_list<std::string_view> path) {
  return ScalarText(FindPath(v, path));
}


std::string JobErrors(const bj::value& job) {
  const bj::value* errors = Find(job, "error");
  if (!errors || !errors->is_array() || errors->as_array().empty()) return "";
  std::string out;
  for (const bj::value& e : errors->as_array()) {
    std::string task = Text(e, {"task"});
    std::string msg = Text(e, {"message"});
    if (msg.empty()) msg = ScalarText(&e);
    out += "  " + (task.empty() ? "" : task + ": ") + msg + "\n";
  }
  return out;
}

}  // namespace

const bj::value& EnvelopeData(const bj::value& reply) {
  if (const bj::value* d = Find(reply, "data")) return *d;
  return reply;
}

base::Result<bj::value> BuildStartBody(const StartArgs& args) {
  if (args.workflow.empty()) return base::InvalidArgument("Give the name of a workflow to start");
  OPSFLOW_ASSIGN_OR_RETURN(bj::object vars, BuildVariables(args.vars_file, args.vars));
  bj::object options{{"variables", std::move(vars)}};
  if (!args.description.empty()) options["description"] = args.description;
  return bj::value(bj::object{{"workflow", args.workflow}, {"options", std::move(options)}});
}

int RunStart(ApiClient& client, const StartArgs& args, std::ostream& out, std::ostream& err) {
  auto body = BuildStartBody(args);
  if (!body.ok()) {
    err << "error: " << body.status().message() << "\n";
    return 1;
  }
  auto reply = client.Call("POST", "/operations-manager/jobs/start", &*body);
  if (!reply.ok()) {
    err << "error: " << reply.status().message() << "\n";
    return 1;
  }
  const bj::value& job = EnvelopeData(*reply);
  std::string id = Text(job, {"_id"});
  if (id.empty()) {
    err << "error: the server started a job but did not say its id\n";
    return 1;
  }
  out << id << "\n" << std::flush;
  if (!args.wait) return 0;

  auto ended = WaitForJob(client, id, err);
  if (!ended.ok()) {
    err << "error: " << ended.status().message() << "\n";
    return 1;
  }
  const bj::value& current = *ended;
  std::string status = Text(current, {"status"});
  out << "status: " << status << "\n";
  const bj::value* vars = Find(current, "variables");
  out << "variables: " << (vars ? PrettyJson(*vars) : std::string("{}")) << "\n";
  if (status != "complete") {
    std::string errors = JobErrors(current);
    err << "error: job " << id << " ended with status '" << status << "'"
        << (errors.empty() ? "\n" : ":\n" + errors);
    return 1;
  }
  return 0;
}

std::string JobsPath(const JobsArgs& args) {
  std::string path = "/operations-manager/jobs?limit=" + std::to_string(args.limit);
  if (!args.status.empty())
    path += "&" + UrlEncode("equals[status]") + "=" + UrlEncode(args.status);
  if (!args.workflow.empty()) {
    path += "&" + UrlEncode("equals[name]") + "=" + UrlEncode(args.workflow);
  }
  return path;
}

int RunJobs(ApiClient& client, const JobsArgs& args, std::ostream& out, std::ostream& err) {
  if (args.limit < 1 || args.limit > 1000) {
    err << "error: --limit must be between 1 and 1000\n";
    return 1;
  }
  auto reply = client.Call("GET", JobsPath(args));
  if (!reply.ok()) {
    err << "error: " << reply.status().message() << "\n";
    return 1;
  }
  const bj::value& data = EnvelopeData(*reply);
  if (!data.is_array()) {
    err << "error: the server's job list is not an array\n";
    return 1;
  }
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "STATUS", "PROGRESS", "STARTED"}};
  for (const bj::value& job : data.as_array()) {
    rows.push_back({Text(job, {"_id"}), Text(job, {"name"}), Text(job, {"status"}),
                    FormatProgress(FindPath(job, {"metrics", "progress"})),
                    FormatEpochMs(FindPath(job, {"metrics", "start_time"}))});
  }
  out << FormatTable(rows);
  if (const bj::value* total = FindPath(*reply, {"metadata", "total"});
      total && total->is_number()) {
    out << data.as_array().size() << " of " << ScalarText(total) << " jobs\n";
  }
  return 0;
}

int RunJob(ApiClient& client, const std::string& job_id, std::ostream& out, std::ostream& err) {
  auto reply = client.Call("GET", "/operations-manager/jobs/" + UrlEncode(job_id));
  if (!reply.ok()) {
    err << "error: " << reply.status().message() << "\n";
    return 1;
  }
  const bj::value& job = EnvelopeData(*reply);
  out << "job " << Text(job, {"_id"}) << "  " << Text(job, {"name"}) << "\n";
  out << "status: " << Text(job, {"status"});
  std::string progress = FormatProgress(FindPath(job, {"metrics", "progress"}));
  if (!progress.empty()) out << " (" << progress << ")";
  out << "\n";
  if (std::string d = Text(job, {"description"}); !d.empty()) out << "description: " << d << "\n";
  if (std::string s = FormatEpochMs(FindPath(job, {"metrics", "start_time"})); !s.empty()) {
    out << "started: " << s << "\n";
  }
  if (std::string e = FormatEpochMs(FindPath(job, {"metrics", "end_time"})); !e.empty()) {
    out << "ended: " << e << "\n";
  }

  // Task iterations with their resolved inputs and outputs, grouped by task key.
  auto iters = client.Call("GET", "/operations-manager/tasks?" + UrlEncode("equals[job._id]") +
                                      "=" + UrlEncode(job_id) + "&limit=1000");
  std::map<std::string, std::vector<const bj::value*>> by_task;
  bj::value iter_data;
  if (iters.ok()) {
    iter_data = EnvelopeData(*iters);
    if (iter_data.is_array()) {
      for (const bj::value& it : iter_data.as_array()) {
        by_task[Text(it, {"job", "task"})].push_back(&it);
      }
    }
  }
  auto start_of = [](const bj::value* it) {
    const bj::value* s = FindPath(*it, {"metrics", "start_time"});
    return s && s->is_number() ? s->to_number<double>() : std::numeric_limits<double>::max();
  };
  for (auto& [key, list] : by_task) {
    std::stable_sort(list.begin(), list.end(), [&](const bj::value* a, const bj::value* b) {
      return start_of(a) < start_of(b);
    });
  }

  // Tasks in the order they first ran; those that never ran after them, by key.
  std::vector<std::string> keys;
  if (const bj::value* tasks = Find(job, "tasks"); tasks && tasks->is_object()) {
    for (const auto& [key, task] : tasks->as_object()) keys.emplace_back(key);
  }
  auto first_start = [&](const std::string& key) {
    auto it = by_task.find(key);
    return it == by_task.end() || it->second.empty() ? std::numeric_limits<double>::max()
                                                     : start_of(it->second.front());
  };
  std::stable_sort(keys.begin(), keys.end(), [&](const std::string& a, const std::string& b) {
    double sa = first_start(a), sb = first_start(b);
    return sa != sb ? sa < sb : a < b;
  });
  std::vector<std::vector<std::string>> rows = {{"TASK", "NAME", "STATUS", "FINISH", "RUNS"}};
  const bj::value* tasks = Find(job, "tasks");
  for (const std::string& key : keys) {
    const bj::value& t = tasks->as_object().at(key);
    std::string name = Text(t, {"summary"});
    if (name.empty()) name = Text(t, {"name"});
    auto it = by_task.find(key);
    rows.push_back({key, name, Text(t, {"status"}), Text(t, {"finish_state"}),
                    std::to_string(it == by_task.end() ? 0 : it->second.size())});
  }
  out << "\n" << FormatTable(rows);

  if (std::string errors = JobErrors(job); !errors.empty()) out << "\nerrors:\n" << errors;

  if (!iters.ok()) {
    err << "error: cannot read the task iterations of job " << job_id << ": "
        << iters.status().message() << "\n";
    return 1;
  }
  for (const std::string& key : keys) {
    auto it = by_task.find(key);
    if (it == by_task.end()) continue;
    for (const bj::value* iter : it->second) {
      out << "\n" << key << " " << Text(*iter, {"name"}) << ": " << Text(*iter, {"status"});
      std::string finish = Text(*iter, {"metrics", "finish_state"});
      if (!finish.empty()) out << " (" << finish << ")";
      const bj::value* s = FindPath(*iter, {"metrics", "start_time"});
      const bj::value* e = FindPath(*iter, {"metrics", "end_time"});
      if (s && e && s->is_number() && e->is_number()) {
        out << ", " << static_cast<long long>(e->to_number<double>() - s->to_number<double>())
            << " ms";
      }
      out << "\n";
      if (const bj::value* in = FindPath(*iter, {"variables", "incoming"})) {
        out << "  incoming: " << PrettyJson(*in, "  ") << "\n";
      }
      if (const bj::value* o = FindPath(*iter, {"variables", "outgoing"})) {
        out << "  outgoing: " << PrettyJson(*o, "  ") << "\n";
      }
    }
  }
  return 0;
}

}  // namespace opsflow::cli
