// Watchers and job groups (SPEC §5 "Job control"): watch/unwatch add or remove the caller's
// account id (one job, or {jobIds} in bulk with per-id results); add-watchers adds other
// accounts ({userIds}: account ids or usernames, each of whom must be able to see the job);
// groups are added or removed one group id at a time, replaced ({groups}) or cleared. Any job,
// finished or not.
// GBAC (docs/ACCOUNTS.md): a hidden job answers as an unknown one (on the group routes before
// the body or the group is looked at); a group added must exist and,
// for a non-admin, be the caller's; a non-admin removes only their own groups, never the last.
#include <algorithm>
#include <functional>

#include "api/job_bulk.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/ids.h"
#include "json/parse.h"

namespace opsflow::api {
namespace {

// Adds (or removes) `value` in the JSON array text `*list`.
base::Status EditList(std::string* list, const std::string& value, bool add) {
  auto parsed = json::Parse(*list);
  bj::array a = parsed.ok() && parsed->is_array() ? std::move(parsed->as_array()) : bj::array();
  auto it = std::find_if(a.begin(), a.end(), [&](const bj::value& v) {
    return v.is_string() && v.get_string() == value;
  });
  if (add && it == a.end()) a.push_back(bj::value(value));
  if (!add && it != a.end()) a.erase(it);
  *list = bj::serialize(a);
  return base::Status::Ok();
}

using GroupsCheck = std::function<base::Status(const std::vector<std::string>& job_groups)>;

// Edits the job's watchers or groups in one store transaction, after checking (inside it) that
// the caller may see the job and, when given, that `check` allows the change.
void EditJob(Api::State& s, Call& c, const std::string& value, bool add, bool watchers,
             const std::string& done_message, const GroupsCheck& check = {}) {
  const std::string& id = c.params[0];
  if (!CheckJobId(c, id)) return;
  auto rec = s.deps.jobs->EditJobLists(id, [&](model::JobRecord* r) {
    std::vector<std::string> groups = auth::ParseGroupsJson(r->groups_json);
    if (!auth::CanSee(*c.account, groups)) return JobNotFound(id);
    if (check) OPSFLOW_RETURN_IF_ERROR(check(groups));
    return EditList(watchers ? &r->watchers_json : &r->groups_json, value, add);
  });
  if (!rec.ok()) {
    ReplyError(c, rec.status());
    return;
  }
  if (!watchers) s.deps.runtime->JobGroupsChanged(id, rec->groups_json);
  auto list = json::Parse(watchers ? rec->watchers_json : rec->groups_json);
  ReplyEnvelope(c, done_message,
                bj::object{{"_id", id},
                           {watchers ? "watchers" : "groups",
                            list.ok() ? std::move(list).value() : bj::value(bj::array())}});
}

std::string GroupIdFromBody(Api::State& s, Call& c, bool* ok) {
  *ok = false;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return {};
  const bj::value* g = body.if_contains("groupId");
  if (!g || !g->is_string() || !base::IsObjectId(g->get_string())) {
    ReplyError(c, 400, "body must be {\"groupId\": <a 24-hex group id>}");
    return {};
  }
  *ok = true;
  return std::string(g->get_string());
}

// Job-group routes answer 404 for a malformed, unknown or hidden job before looking at the
// body or the group (EditJob checks again inside its transaction).
bool JobVisibleFirst(Api::State& s, Call& c) {
  if (!CheckJobId(c, c.params[0])) return false;
  if (auto rec = VisibleJob(s, c, c.params[0]); !rec.ok()) {
    ReplyError(c, rec.status());
    return false;
  }
  return true;
}

void WatchJob(Api::State& s, Call& c) {
  EditJob(s, c, c.account->id, true, true, "Watching job " + c.params[0]);
}

void UnwatchJob(Api::State& s, Call& c) {
  EditJob(s, c, c.account->id, false, true, "No longer watching job " + c.params[0]);
}

// POST /operations-manager/jobs/:jobId/groups {groupId}
void AddJobGroup(Api::State& s, Call& c) {
  if (!JobVisibleFirst(s, c)) return;
  bool ok;
  std::string group = GroupIdFromBody(s, c, &ok);
  if (!ok) return;
  auto exists = [&](const std::string& g) { return s.deps.accounts->groups().Get(g).ok(); };
  if (base::Status st = auth::CheckGrant(*c.account, group, exists); !st.ok()) {
    ReplyError(c, st);
    return;
  }
  EditJob(s, c, group, true, false, "Added group " + group + " to job " + c.params[0]);
}

// DELETE /operations-manager/jobs/:jobId/groups/:groupId
void RemoveJobGroup(Api::State& s, Call& c) {
  if (!JobVisibleFirst(s, c)) return;
  if (!base::IsObjectId(c.params[1])) {
    ReplyError(c, 400, "'" + c.params[1] + "' is not a valid group id (24 hex characters)");
    return;
  }
  const std::string& group = c.params[1];
  EditJob(s, c, group, false, false, "Removed group " + group + " from job " + c.params[0],
          [&](const std::vector<std::string>& job_groups) {
            return auth::CheckRevoke(*c.account, job_groups, group);
          });
}

// ---- replace and clear, add-watchers, bulk watch (IAP replaceJobGroups, deleteJobGroups,
// addWatchersToJob, watchJobs, unwatchJobs) ----

// Edits job `id`'s watchers (or groups) as account `a` in one store transaction: `edit` gets the
// job's groups and the list; a job `a` may not see is NotFound.
using ListEdit =
    std::function<base::Status(const std::vector<std::string>& job_groups, bj::array* list)>;

base::Result<model::JobRecord> EditListAs(Api::State& s, const auth::Account& a,
                                          const std::string& id, bool watchers,
                                          const ListEdit& edit) {
  auto rec = s.deps.jobs->EditJobLists(id, [&](model::JobRecord* r) {
    std::vector<std::string> groups = auth::ParseGroupsJson(r->groups_json);
    if (!auth::CanSee(a, groups)) return JobNotFound(id);
    std::string* text = watchers ? &r->watchers_json : &r->groups_json;
    auto parsed = json::Parse(*text);
    bj::array list =
        parsed.ok() && parsed->is_array() ? std::move(parsed->as_array()) : bj::array();
    OPSFLOW_RETURN_IF_ERROR(edit(groups, &list));
    *text = bj::serialize(list);
    return base::Status::Ok();
  });
  if (rec.ok() && !watchers) s.deps.runtime->JobGroupsChanged(id, rec->groups_json);
  return rec;
}

void ReplyLists(Call& c, const std::string& message, const base::Result<model::JobRecord>& rec,
                bool watchers) {
  if (!rec.ok()) return ReplyError(c, rec.status());
  auto list = json::Parse(watchers ? rec->watchers_json : rec->groups_json);
  ReplyEnvelope(c, message,
                bj::object{{"_id", rec->id},
                           {watchers ? "watchers" : "groups",
                            list.ok() ? std::move(list).value() : bj::value(bj::array())}});
}

std::vector<std::string> Strings(const bj::array& a) {
  std::vector<std::string> out;
  for (const bj::value& v : a) {
    if (v.is_string()) out.emplace_back(v.get_string());
  }
  return out;
}

// Replaces `list` by `after` when the caller may: each added group exists (for admins too, as
// when one group is added) and CheckGroupsChange allows going from the job's groups.
base::Status SetGroups(Api::State& s, const Call& c, const std::vector<std::string>& after,
                       const std::vector<std::string>& job_groups, bj::array* list) {
  auto exists = [&](const std::string& g) { return s.deps.accounts->groups().Get(g).ok(); };
  for (const std::string& g : after) {
    if (std::find(job_groups.begin(), job_groups.end(), g) != job_groups.end()) continue;
    OPSFLOW_RETURN_IF_ERROR(auth::CheckGrant(*c.account, g, exists));
  }
  OPSFLOW_RETURN_IF_ERROR(CheckGroupsChange(s, c, job_groups, after));
  *list = bj::value_from(after).as_array();
  return base::Status::Ok();
}

// PUT /operations-manager/jobs/:jobId/groups {groups: [<group id>, ...]}
void ReplaceJobGroups(Api::State& s, Call& c) {
  if (!JobVisibleFirst(s, c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* g = body.if_contains("groups");
  std::vector<std::string> after;
  bool ok = g && g->is_array();
  if (ok) {
    for (const bj::value& v : g->get_array()) {
      if (!v.is_string() || !base::IsObjectId(v.get_string())) {
        ok = false;
        break;
      }
      std::string id(v.get_string());
      if (std::find(after.begin(), after.end(), id) == after.end()) after.push_back(id);
    }
  }
  if (!ok) {
    ReplyError(c, 400, "body must be {\"groups\": [<a 24-hex group id>, ...]}");
    return;
  }
  const std::string& id = c.params[0];
  ReplyLists(c, "Replaced the groups of job " + id,
             EditListAs(s, *c.account, id, false,
                        [&](const std::vector<std::string>& job_groups, bj::array* list) {
                          return SetGroups(s, c, after, job_groups, list);
                        }),
             false);
}

// DELETE /operations-manager/jobs/:jobId/groups: every user may see the job afterwards, so a
// non-admin may not clear a job that has groups (CheckRevoke: never the last group).
void ClearJobGroups(Api::State& s, Call& c) {
  if (!JobVisibleFirst(s, c)) return;
  const std::string& id = c.params[0];
  ReplyLists(c, "Removed every group from job " + id,
             EditListAs(s, *c.account, id, false,
                        [&](const std::vector<std::string>& job_groups, bj::array* list) {
                          return SetGroups(s, c, {}, job_groups, list);
                        }),
             false);
}

// POST /operations-manager/jobs/:jobId/add-watchers {userIds: [<account id or username>, ...]}
// Watchers are account ids (as watch stores the caller's); each account must exist and be able
// to see the job.
void AddWatchers(Api::State& s, Call& c) {
  if (!JobVisibleFirst(s, c)) return;
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* u = body.if_contains("userIds");
  if (!u || !u->is_array() || u->get_array().empty() ||
      !std::all_of(u->get_array().begin(), u->get_array().end(),
                   [](const bj::value& v) { return v.is_string() && !v.get_string().empty(); })) {
    ReplyError(c, 400,
               "body must be {\"userIds\": [<account id or username>, ...]} with at least one");
    return;
  }
  const std::string& id = c.params[0];
  std::vector<auth::Account> who;
  for (const std::string& user : Strings(u->get_array())) {
    auto a = s.deps.accounts->Get(user);
    if (!a.ok() && a.status().code() == base::Code::kNotFound) a = s.deps.accounts->Find(user);
    if (!a.ok()) {
      if (a.status().code() != base::Code::kNotFound) return ReplyError(c, a.status());
      return ReplyError(c, 400, "cannot add watcher '" + user + "': no such account");
    }
    who.push_back(std::move(a).value());
  }
  ReplyLists(c, "Added watchers to job " + id,
             EditListAs(s, *c.account, id, true,
                        [&](const std::vector<std::string>& job_groups, bj::array* list) {
                          for (const auth::Account& a : who) {
                            if (!auth::CanSee(a, job_groups)) {
                              return base::InvalidArgument("cannot add watcher '" + a.username +
                                                           "': they may not see job " + id);
                            }
                          }
                          for (const auth::Account& a : who) {
                            if (std::find(list->begin(), list->end(), bj::value(a.id)) ==
                                list->end()) {
                              list->push_back(bj::value(a.id));
                            }
                          }
                          return base::Status::Ok();
                        }),
             true);
}

// POST /operations-manager/jobs/watch and /unwatch {jobIds}: per-id results, 200 (as bulk
// pause); an unknown or hidden job is a failed item.
void BulkWatch(Api::State& s, Call& c, bool add) {
  std::vector<std::string> ids;
  if (!ParseJobIds(s, c, &ids)) return;
  bj::array results;
  size_t ok = 0;
  const std::string me = c.account->id;
  for (const std::string& id : ids) {
    auto rec = EditListAs(s, *c.account, id, true,
                          [&](const std::vector<std::string>&, bj::array* list) {
                            auto it = std::find(list->begin(), list->end(), bj::value(me));
                            if (add && it == list->end()) list->push_back(bj::value(me));
                            if (!add && it != list->end()) list->erase(it);
                            return base::Status::Ok();
                          });
    bj::object r{{"_id", id}, {"success", rec.ok()}};
    r["message"] = rec.ok() ? std::string(add ? "Watching" : "No longer watching") + " job " + id
                            : rec.status().message();
    if (rec.ok()) ++ok;
    results.push_back(std::move(r));
  }
  ReplyEnvelope(c,
                std::to_string(ok) + " of " + std::to_string(ids.size()) + " job(s) " +
                    (add ? "watched" : "unwatched"),
                std::move(results));
}

void WatchJobs(Api::State& s, Call& c) { BulkWatch(s, c, true); }
void UnwatchJobs(Api::State& s, Call& c) { BulkWatch(s, c, false); }

}  // namespace

std::span<const Route> JobWatchRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/operations-manager/jobs/:jobId/watch", WatchJob, true},
      {"POST", "/operations-manager/jobs/:jobId/unwatch", UnwatchJob, true},
      {"POST", "/operations-manager/jobs/:jobId/groups", AddJobGroup, true},
      {"DELETE", "/operations-manager/jobs/:jobId/groups/:groupId", RemoveJobGroup, true},
      {"PUT", "/operations-manager/jobs/:jobId/groups", ReplaceJobGroups, true},
      {"DELETE", "/operations-manager/jobs/:jobId/groups", ClearJobGroups, true},
      {"POST", "/operations-manager/jobs/:jobId/add-watchers", AddWatchers, true},
      {"POST", "/operations-manager/jobs/watch", WatchJobs, true},
      {"POST", "/operations-manager/jobs/unwatch", UnwatchJobs, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
