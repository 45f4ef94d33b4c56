// Watchers and job groups (SPEC §5 "Job control"): watch/unwatch add or remove the caller's
// account id; groups are added or removed one group id at a time. Any job, finished or not.
// GBAC (docs/ACCOUNTS.md): a hidden job answers as an unknown one (on the group routes before
// the body or the group is looked at); a group added must exist and,
// for a non-admin, be the caller's; a non-admin removes only their own groups, never the last.
#include <algorithm>
#include <functional>

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

}  // namespace

std::span<const Route> JobWatchRoutes() {
  static const Route kRoutes[] = {
      {"POST", "/operations-manager/jobs/:jobId/watch", WatchJob, true},
      {"POST", "/operations-manager/jobs/:jobId/unwatch", UnwatchJob, true},
      {"POST", "/operations-manager/jobs/:jobId/groups", AddJobGroup, true},
      {"DELETE", "/operations-manager/jobs/:jobId/groups/:groupId", RemoveJobGroup, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
