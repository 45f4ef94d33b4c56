// /operations-manager/triggers: CRUD, import, manual and endpoint runs (automation/trigger_service.h
// holds the logic).
#include <boost/json.hpp>
#include <mutex>

#include "api/state.h"
#include "automation/trigger_service.h"
#include "base/ids.h"
#include "model/query.h"

namespace opsflow::api {
namespace {

automation::TriggerService* Service(Api::State& s, Call& c) {
  if (!s.deps.triggers) ReplyError(c, 503, "automations and triggers are not enabled");
  return s.deps.triggers;
}

void ReplyDoc(Call& c, const std::string& message, base::Result<bj::object> r) {
  if (!r.ok()) return ReplyError(c, r.status());
  ReplyEnvelope(c, message, std::move(r).value());
}

// Trigger bodies come bare or wrapped as {trigger:{...}} (2021-era docs).
bool TriggerBody(Api::State& s, Call& c, bj::object* out) {
  if (!ParseBodyObject(s, c, out)) return false;
  if (out->size() == 1 && out->contains("trigger")) {
    bj::value inner = (*out)["trigger"];
    if (!inner.is_object()) {
      ReplyError(c, 400, "trigger must be an object");
      return false;
    }
    *out = std::move(inner.as_object());
  }
  return true;
}

}  // namespace

void InitTriggers(Api::State& s) {
  if (!s.deps.triggers) return;
  s.launcher = std::make_unique<automation::RuntimeLauncher>(
      &s.workflows, s.deps.accounts, s.deps.runtime, s.opts.max_running_jobs_per_user);
  s.deps.triggers->SetLauncher(s.launcher.get());
}

const auth::Account& ViewerOf(const Call& c) {
  static const auth::Account kNobody;
  return c.account ? *c.account : kNobody;
}

bool ParseOmList(Api::State& s, Call& c, bool reject_brackets, model::ListQuery* q) {
  for (const auto& [k, v] : c.req.query) {
    if (reject_brackets && k.find('[') != std::string::npos) {
      ReplyError(c, 400,
                 "query parameter '" + k +
                     "' is not supported here; use equals=<value>&equalsField=<field> "
                     "(also contains/containsField, startsWith/startsWithField)");
      return false;
    }
  }
  model::ListQueryOptions lo;
  lo.max_limit = s.opts.max_list_limit;
  lo.default_sort = "name";
  lo.allow_equals_field = true;
  auto parsed = model::ParseListQuery(c.req.query, lo);
  if (!parsed.ok()) {
    ReplyError(c, parsed.status());
    return false;
  }
  *q = std::move(parsed).value();
  return true;
}

void ReplyPage(Call& c, const model::ListQuery& q, base::Result<automation::DocPage> page) {
  if (!page.ok()) return ReplyError(c, page.status());
  ReplyEnvelope(c, "Successfully retrieved items", std::move(page->items),
                bj::object{{"total", page->total}, {"skip", q.skip}, {"limit", q.limit}});
}

void OmListTriggers(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  model::ListQuery q;
  if (!ParseOmList(s, c, false, &q)) return;
  if (const std::string* en = c.req.Query("enabled")) {
    std::string e;
    for (char ch : *en)
      e.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
    if (e != "true" && e != "false") {
      return ReplyError(c, 400, "query parameter enabled must be true or false");
    }
    model::Expr ex;
    ex.pred.op = model::Op::kEquals;
    ex.pred.field = "enabled";
    ex.pred.values.emplace_back(e == "true");
    q.filters.push_back(std::move(ex));
  }
  ReplyPage(c, q, ts->ListTriggers(ViewerOf(c), q));
}

void OmGetTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  ReplyDoc(c, "Successfully retrieved item", ts->GetTrigger(ViewerOf(c), c.params[0]));
}

// GET /operations-manager/triggers/:id/export: the trigger as PUT /triggers imports it back.
void OmExportTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  ReplyDoc(c, "Successfully exported trigger", ts->ExportTrigger(ViewerOf(c), c.params[0]));
}

void OmCreateTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!TriggerBody(s, c, &body)) return;
  ReplyDoc(c, "Successfully created trigger", ts->CreateTrigger(ViewerOf(c), std::move(body)));
}

void OmPatchTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!TriggerBody(s, c, &body)) return;
  ReplyDoc(c, "Successfully updated trigger",
           ts->PatchTrigger(ViewerOf(c), c.params[0], std::move(body)));
}

void OmDeleteTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  base::Status st = ts->DeleteTrigger(ViewerOf(c), c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Successfully deleted trigger", bj::object{{"_id", c.params[0]}});
}

void OmDeleteTriggersOfAction(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  auto n = ts->DeleteTriggersOfAutomation(ViewerOf(c), c.params[0]);
  if (!n.ok()) return ReplyError(c, n.status());
  ReplyEnvelope(c, "Successfully deleted triggers", bj::object{{"deleted", *n}});
}

void OmImportTriggers(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* list = body.if_contains("triggers");
  if (!list || !list->is_array()) return ReplyError(c, 400, "body must be {triggers:[...]}");
  const bj::value* opts = body.if_contains("options");
  if (opts && !opts->is_object() && !opts->is_null()) {
    return ReplyError(c, 400, "options must be an object");
  }
  static const bj::object kNone;
  bj::array results = ts->ImportTriggers(ViewerOf(c), list->get_array(),
                                         opts && opts->is_object() ? opts->get_object() : kNone);
  ReplyImport(c, "triggers", std::move(results));
}

void ReplyImport(Call& c, const std::string& what, bj::array results) {
  size_t ok = 0;
  std::string first_error;
  for (const bj::value& r : results) {
    if (r.at("success").as_bool()) {
      ++ok;
    } else if (first_error.empty()) {
      first_error = std::string(r.at("message").as_string());
    }
  }
  if (ok == 0 && !results.empty()) {
    return ReplyError(c, 400, "no " + what + " imported: " + first_error);
  }
  std::string message =
      "Imported " + std::to_string(ok) + " of " + std::to_string(results.size()) + " " + what;
  ReplyEnvelope(c, message, std::move(results));  // the count before `results` moves
}

void OmRunManualTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  std::optional<bj::value> form;
  if (!c.req.body.empty()) {
    bj::object body;
    if (!ParseBodyObject(s, c, &body)) return;
    if (const bj::value* f = body.if_contains("formData"); f && !f->is_null()) {
      if (!f->is_object()) return ReplyError(c, 400, "formData must be an object");
      form = *f;
    }
  }
  auto errs = std::make_shared<std::vector<json::SchemaError>>();
  ts->RunManual(ViewerOf(c), c.params[0], std::move(form), StartedJobReply(std::move(c.done), errs, s.opts.large_data_bytes),
                errs.get());
}

void OmRunEndpointTrigger(Api::State& s, Call& c) {
  auto* ts = Service(s, c);
  if (!ts) return;
  bj::value body;  // an empty body is null
  if (!c.req.body.empty() && !ParseBody(s, c, &body)) return;
  auto errs = std::make_shared<std::vector<json::SchemaError>>();
  ts->RunEndpoint(ViewerOf(c), c.params[0], body, StartedJobReply(std::move(c.done), errs, s.opts.large_data_bytes),
                  errs.get());
}

std::span<const Route> TriggerRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/triggers", OmListTriggers, true},
      {"POST", "/operations-manager/triggers", OmCreateTrigger, true},
      {"PUT", "/operations-manager/triggers", OmImportTriggers, true},
      {"GET", "/operations-manager/triggers/:id", OmGetTrigger, true},
      {"GET", "/operations-manager/triggers/:id/export", OmExportTrigger, true},
      {"PATCH", "/operations-manager/triggers/:id", OmPatchTrigger, true},
      {"DELETE", "/operations-manager/triggers/:id", OmDeleteTrigger, true},
      {"DELETE", "/operations-manager/triggers/action/:id", OmDeleteTriggersOfAction, true},
      {"POST", "/operations-manager/triggers/manual/:id/run", OmRunManualTrigger, true},
      {"POST", "/operations-manager/triggers/endpoint/:routeName", OmRunEndpointTrigger, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
