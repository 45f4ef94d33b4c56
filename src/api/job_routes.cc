// /operations-manager/jobs: start, read, list.
#include <algorithm>
#include <functional>

#include "api/large_data.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/ids.h"
#include "json/parse.h"
#include "model/iteration_doc.h"
#include "model/list_page.h"
#include "model/query.h"
#include "model/secrets.h"
#include "model/start_check.h"

namespace opsflow::api {
namespace {

std::vector<std::string> SplitList(const std::string* v) {
  std::vector<std::string> out;
  if (!v) return out;
  size_t pos = 0;
  while (pos <= v->size()) {
    size_t comma = v->find(',', pos);
    std::string part = v->substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

// Replies with one document, projected by the request's `include` / `exclude`.
void ReplyItem(Call& c, bj::value v) {
  auto include = SplitList(c.req.Query("include"));
  auto exclude = SplitList(c.req.Query("exclude"));
  if (!include.empty() || !exclude.empty()) v = model::Project(v, include, exclude);
  ReplyEnvelope(c, "Successfully retrieved item", std::move(v));
}

// The new job's groups (docs/ACCOUNTS.md "Who sees what"): options.groups when given, each one a
// group the caller may grant; otherwise the workflow's groups, so a restricted workflow never
// yields a job every user can see. Replies and returns false when a group is refused.
bool JobGroups(Api::State& s, Call& c, const bj::object& opts, const model::Workflow& wf,
               bj::array* out) {
  const bj::value* given = opts.if_contains("groups");
  std::vector<std::string> groups = given ? auth::GroupsOf(given) : auth::GroupsOfDoc(wf.doc());
  if (given) {
    auto exists = [&](const std::string& g) { return s.deps.accounts->groups().Get(g).ok(); };
    for (const std::string& g : groups) {
      base::Status st = auth::CheckGrant(*c.account, g, exists);
      if (!st.ok()) {
        ReplyError(c, st);
        return false;
      }
    }
  }
  out->clear();
  for (const std::string& g : groups) {
    bj::value v(g);
    if (std::find(out->begin(), out->end(), v) == out->end()) out->push_back(std::move(v));
  }
  return true;
}

void StartJob(Api::State& s, Call& c) {
  bj::value body;
  if (!ParseBody(s, c, &body)) return;
  std::vector<json::SchemaError> errs = s.start_schema->Validate(body);
  if (!errs.empty()) {
    std::string message = "Invalid request body: " + json::ErrorsToMessage(errs);
    Reply(c, 400, Envelope(message, json::ErrorsToJson(errs)));
    return;
  }
  const bj::object& o = body.get_object();
  std::string name(o.at("workflow").get_string());
  auto wf = FindVisibleWorkflow(s, c, name);
  if (!wf) {
    ReplyError(c, 404, "Workflow '" + name + "' not found");
    return;
  }
  const bj::object& opts = o.at("options").get_object();
  runtime::StartRequest req;
  req.workflow = wf;
  if (const bj::value* d = opts.if_contains("decorators")) {  // secrets (model/secrets.h)
    base::Status st = model::CheckDecorators(*d);
    if (!st.ok()) return ReplyError(c, 400, st.message());
    auto merged = model::WithDecorators(wf, d->get_array());
    if (!merged.ok()) return ReplyError(c, 400, merged.status().message());
    req.workflow = *merged;
  }
  if (auto v = opts.if_contains("variables")) req.variables = v->get_object();
  if (auto d = opts.if_contains("description")) req.description = d->get_string();
  if (auto t = opts.if_contains("type")) req.type = t->get_string();
  if (!JobGroups(s, c, opts, *wf, &req.groups)) return;
  req.user = c.account->username;
  req.max_running_jobs = c.account->admin ? 0 : s.opts.max_running_jobs_per_user;
  std::vector<json::SchemaError> verrs;
  if (base::Status st = model::CheckStartable(*wf, req.variables, &verrs); !st.ok()) {
    if (verrs.empty()) return ReplyError(c, 400, st.message());
    Reply(c, 400, Envelope(st.message(), json::ErrorsToJson(verrs)));
    return;
  }
  s.deps.runtime->StartJob(std::move(req),
                           StartedJobReply(std::move(c.done), nullptr, s.opts.large_data_bytes));
}

void GetJob(Api::State& s, Call& c) {
  const std::string& id = c.params[0];
  if (!CheckJobId(c, id)) return;
  auto doc = s.deps.runtime->GetJobDocument(id);
  if (!doc.ok()) {
    ReplyError(c, doc.status());
    return;
  }
  if (!auth::CanSee(*c.account, auth::GroupsOfDoc(*doc))) {
    ReplyError(c, JobNotFound(id));
    return;
  }
  bj::value v = std::move(doc).value();
  MarkLargeData(v, s.opts.large_data_bytes);  // large_data.h
  ReplyItem(c, std::move(v));
}

// Replies with a list page; when the store left filters (or the sort) to us, they are applied
// in memory first.
void FinishList(Call& c, const model::ListQuery& q, std::vector<bj::value> docs, int64_t total,
                bool residual, const std::vector<model::Expr>& rest,
                const std::function<void(bj::value&)>& complete = {},
                const std::function<void(bj::value&)>& mark = {}) {
  if (residual) docs = model::FilterSortPage(q, std::move(docs), rest, &total, complete);
  bj::array data;
  for (auto& d : docs) {
    if (mark) mark(d);  // large values as markers (large_data.h)
    if (!q.include.empty() || !q.exclude.empty()) {
      data.push_back(model::Project(d, q.include, q.exclude));
    } else {
      data.push_back(std::move(d));
    }
  }
  size_t n = data.size();
  ReplyEnvelope(c, "Successfully retrieved items", std::move(data),
                ListMetadata(q.skip, q.limit, total, n));
}

// The answered text of one job of a list page (its document, large variables marked): from the
// cache for a finished job whose stored record is unchanged, built and serialized else. Null
// when the document cannot be built (the job is left out of the page, as before).
std::shared_ptr<const std::string> JobText(Api::State& s, const model::JobRecord& rec) {
  const bool cacheable = JobDocCache::Cacheable(rec);
  const uint64_t fp = cacheable ? JobDocCache::Fingerprint(rec) : 0;
  if (cacheable) {
    if (auto hit = s.job_docs.Get(rec.id, fp)) return hit;
  }
  auto doc = s.deps.runtime->BuildJobDocument(rec, true);
  if (!doc.ok()) return nullptr;
  bj::value v = std::move(doc).value();
  MarkLargeData(v, s.opts.large_data_bytes);  // large_data.h
  auto text = std::make_shared<const std::string>(bj::serialize(v));
  if (cacheable) s.job_docs.Put(rec.id, fp, text);
  return text;
}

// A page of whole job documents (no filter left to us, no include/exclude): the envelope is
// written around each job's text, byte for byte what serializing Envelope(...) gives.
void ReplyJobPage(Api::State& s, Call& c, const model::ListQuery& q,
                  const store::Page<model::JobRecord>& page) {
  std::vector<std::shared_ptr<const std::string>> texts;
  texts.reserve(page.items.size());
  size_t bytes = 0;
  for (const auto& rec : page.items) {
    if (auto t = JobText(s, rec)) {
      bytes += t->size() + 1;
      texts.push_back(std::move(t));
    }
  }
  Response r;
  r.status = 200;
  r.body.reserve(bytes + 512);
  r.body += "{\"message\":";
  r.body += bj::serialize(bj::value("Successfully retrieved items"));
  r.body += ",\"data\":[";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i) r.body += ',';
    r.body += *texts[i];
  }
  r.body += "],\"metadata\":";
  r.body += bj::serialize(ListMetadata(q.skip, q.limit, page.total, texts.size()));
  r.body += '}';
  c.done(std::move(r));
}

void ListJobs(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  ScopeToCaller(c, &q);
  if (q.sort.empty()) {
    q.sort = "metrics.start_time";
    q.order = -1;
    if (const std::string* o = c.req.Query("order")) q.order = *o == "1" ? 1 : -1;
  }
  std::vector<model::Expr> rest;
  auto page = s.deps.jobs->ListJobs(q, &rest);
  if (!page.ok()) {
    ReplyError(c, page.status());
    return;
  }
  // Filtering in memory needs only the documents; iteration ids are added to the page's jobs.
  bool residual = !rest.empty();
  if (!residual && q.include.empty() && q.exclude.empty()) {
    ReplyJobPage(s, c, q, *page);
    return;
  }
  std::vector<bj::value> docs;
  for (const auto& rec : page->items) {
    auto doc = s.deps.runtime->BuildJobDocument(rec, !residual);
    if (doc.ok()) docs.emplace_back(std::move(doc).value());
  }
  FinishList(
      c, q, std::move(docs), page->total, residual, rest,
      [&](bj::value& d) {
        if (!residual) return;
        const bj::value* id = d.is_object() ? d.get_object().if_contains("_id") : nullptr;
        if (!id || !id->is_string()) return;
        auto full = s.deps.runtime->GetJobDocument(std::string(id->get_string()));
        if (full.ok()) d = std::move(full).value();
      },
      [&](bj::value& d) { MarkLargeData(d, s.opts.large_data_bytes); });
}

void GetTask(Api::State& s, Call& c) {
  const std::string& id = c.params[0];
  if (!base::IsUuid(id)) {
    ReplyError(c, 400, "'" + id + "' is not a valid task id (a UUID)");
    return;
  }
  auto it = s.deps.jobs->GetIteration(id);
  if (!it.ok()) {
    ReplyError(c, it.status());
    return;
  }
  // A task of a job the caller may not see answers as the store does for an unknown task.
  if (auto job = VisibleJob(s, c, it->job_id); !job.ok()) {
    ReplyError(c, job.status().code() == base::Code::kNotFound
                      ? base::NotFound("task " + id + " not found")
                      : job.status());
    return;
  }
  bj::value doc = model::IterationDocument(*it);
  MarkTaskLargeData(doc, s.opts.large_data_bytes);  // large_data.h
  ReplyItem(c, std::move(doc));
}

void ListTasks(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  ScopeToCaller(c, &q);
  std::vector<model::Expr> rest;
  auto page = s.deps.jobs->ListIterations(q, &rest);
  if (!page.ok()) {
    ReplyError(c, page.status());
    return;
  }
  std::vector<bj::value> docs;
  for (const auto& rec : page->items) docs.emplace_back(model::IterationDocument(rec));
  FinishList(c, q, std::move(docs), page->total, !rest.empty(), rest, {},
             [&](bj::value& d) { MarkTaskLargeData(d, s.opts.large_data_bytes); });
}

}  // namespace

std::span<const Route> JobRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/operations-manager/jobs/start", StartJob, true},
      {"POST", "/operations_manager/jobs/start", StartJob, true},
      {"GET", "/operations-manager/jobs", ListJobs, true},
      {"GET", "/operations-manager/jobs/:id", GetJob, true},
      {"GET", "/operations-manager/tasks", ListTasks, true},
      {"GET", "/operations-manager/tasks/:id", GetTask, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
