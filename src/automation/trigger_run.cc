// TriggerService: manual and endpoint runs, and the job any trigger run starts (JobFor).
#include <boost/json.hpp>

#include "auth/access.h"
#include "automation/jst_input.h"
#include "automation/trigger_internal.h"
#include "automation/trigger_service.h"
#include "base/metrics.h"

namespace opsflow::automation {
namespace bj = boost::json;
using namespace internal;  // NOLINT(build/namespaces): this module's own internals

base::Result<TriggerJob> TriggerService::JobFor(const bj::object& trigger, bj::object variables,
                                                const auth::Account* runner) const {
  std::string action = json::StringField(trigger, "actionId");
  auto a = automations_.find(action);
  if (a == automations_.end()) {
    return base::FailedPrecondition("the trigger's automation '" + action + "' no longer exists");
  }
  const bj::object& automation = a->second;
  std::string cid = json::StringField(automation, "componentId"),
              cname = json::StringField(automation, "componentName");
  if (cid.empty() && cname.empty()) {
    return base::FailedPrecondition("automation '" + json::StringField(automation, "name") +
                                    "' has no workflow (set componentId)");
  }
  if (!launcher_) return base::Internal("no job starter is configured");
  std::string as_user = runner ? runner->username : json::StringField(automation, "lastUpdatedBy");
  auto wf = launcher_->FindWorkflow(as_user, cid.empty() ? cname : cid);
  if (!wf.ok() && !cname.empty()) wf = launcher_->FindWorkflow(as_user, cname);
  if (!wf.ok()) {
    return base::FailedPrecondition("the workflow of automation '" +
                                    json::StringField(automation, "name") + "' ('" +
                                    (cname.empty() ? cid : cname) + "') no longer exists");
  }
  TriggerJob job;
  job.workflow = wf->name;
  job.variables = std::move(variables);
  job.description = json::StringField(automation, "name");
  job.user = runner ? runner->username : kSystemUser;
  job.as_user = std::move(as_user);
  job.limited = runner && !runner->admin;
  // The job is as visible as its automation.
  for (const std::string& g : auth::AutomationGroups(automation))
    job.groups.push_back(bj::value(g));
  return job;
}

void TriggerService::StartAndRecord(TriggerJob job, const std::string& trigger_id, int depth,
                                    StartCallback done) {
  {
    // lastExecuted, best effort: a failed write does not stop the run.
    std::lock_guard<std::mutex> l(mu_);
    auto it = triggers_.find(trigger_id);
    if (it != triggers_.end()) {
      bj::object doc = it->second;
      doc["lastExecuted"] = clock_->NowMs();
      base::metrics::Get().trigger_runs.At({json::StringField(doc, "type")}).Inc();
      if (json::StringField(doc, "type") != "schedule") (void)PutLocked(kTrigger, doc);
    }
  }
  launcher_->StartJob(std::move(job), [this, trigger_id, depth,
                                       done = std::move(done)](base::Result<JobSnapshot> r) {
    if (r.ok() && depth > 0) {
      std::lock_guard<std::mutex> l(origin_mu_);
      origins_[r->record.id] = Origin{trigger_id, depth};
    }
    done(std::move(r));
  });
}

void TriggerService::RunManual(const auth::Account& v, const std::string& id,
                               std::optional<bj::value> form_data, StartCallback done,
                               std::vector<json::SchemaError>* schema_errors) {
  base::Result<TriggerJob> job = base::Internal("unset");
  {
    std::lock_guard<std::mutex> l(mu_);
    auto t = ReadableTrigger(v, id);
    if (!t.ok()) return done(t.status());
    const bj::object& trig = **t;
    if (json::StringField(trig, "type") != "manual") {
      return done(base::InvalidArgument("trigger '" + id + "' is a " +
                                        json::StringField(trig, "type") +
                                        " trigger, not a manual one"));
    }
    if (!Enabled(trig)) {
      return done(base::FailedPrecondition("trigger '" + json::StringField(trig, "name") +
                                           "' is disabled"));
    }
    bj::value form = form_data ? *form_data : trig.at("formData");
    if (form.is_null()) form = bj::object();
    if (!form.is_object()) return done(base::InvalidArgument("formData must be an object"));
    bj::object vars = FormVariables(trig, std::move(form));
    job = JobFor(trig, std::move(vars), &v);
  }
  if (!job.ok()) return done(job.status());
  job->input_errors = schema_errors;
  StartAndRecord(std::move(job).value(), id, 0, std::move(done));
}

void TriggerService::RunEndpoint(const auth::Account& v, const std::string& route,
                                 const bj::value& body, StartCallback done,
                                 std::vector<json::SchemaError>* schema_errors) {
  bj::object trig;
  {
    std::lock_guard<std::mutex> l(mu_);
    for (const auto& [id, t] : triggers_) {
      if (json::StringField(t, "type") == "endpoint" &&
          json::StringField(t, "routeName") == route && ReadableTrigger(v, id).ok()) {
        trig = t;
        break;
      }
    }
  }
  if (trig.empty())
    return done(base::NotFound("no endpoint trigger has routeName '" + route + "'"));
  if (!Enabled(trig)) {
    return done(
        base::FailedPrecondition("trigger '" + json::StringField(trig, "name") + "' is disabled"));
  }
  std::string err;
  if (auto schema = schemas_.Of(trig, &err)) {
    std::vector<json::SchemaError> errs = schema->Validate(body);
    if (!errs.empty()) {
      std::string msg = "Invalid request body: " + json::ErrorsToMessage(errs);
      if (schema_errors) *schema_errors = std::move(errs);
      return done(base::InvalidArgument(msg));
    }
  } else if (!err.empty()) {
    return done(base::Internal("the trigger's schema is invalid: " + err));
  }
  bj::object vars;
  if (!JstIdOf(trig).empty()) {
    auto out = ApplyTriggerJst(docs_, trig, body, clock_->NowMs());
    if (!out.ok()) return done(out.status());
    vars = std::move(out).value();
  } else if (body.is_object()) {
    vars = body.get_object();
  } else if (!body.is_null()) {
    return done(base::InvalidArgument(
        "the request body must be a JSON object (its fields become the job's variables)"));
  }
  base::Result<TriggerJob> job = base::Internal("unset");
  {
    std::lock_guard<std::mutex> l(mu_);
    job = JobFor(trig, std::move(vars), &v);
  }
  if (!job.ok()) return done(job.status());
  job->input_errors = schema_errors;
  StartAndRecord(std::move(job).value(), json::StringField(trig, "_id"), 0, std::move(done));
}

}  // namespace opsflow::automation
