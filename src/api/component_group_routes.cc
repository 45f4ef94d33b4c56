// /automation-studio/component-groups: Automation Studio component groups as stored documents
// (IAP-REFERENCE §11, "AutomationStudio": createComponentGroup, getComponentGroups,
// getComponentGroup, updateComponentGroup, deleteComponentGroup, importComponentGroups).
// DocStore kind "component-group", key the `_id`; the document is IAP's
//   {_id, name, description, gbacRead: [group id], gbacWrite: [group id], members:
//    [{type: "folder", path: [string]} | {type: "component", path, sourceCollection, ref}],
//    version, meta, created, createdBy, lastUpdated, lastUpdatedBy}
// Names are unique. Access (docs/DECISIONS.md "Component groups"): admins and the creator see
// and change a group; others see it when `gbacRead` is empty or names one of their groups (or
// `gbacWrite` does) and change it when `gbacWrite` names one of their groups. A hidden group
// answers 404 as an unknown one; a visible one the caller may not change, 403.
// Answers: create the document; the list in the items envelope; read and update the document;
// delete {message, data: {_id}}; import per item [{success, data|message}] (IAP: every `_id` is
// replaced and a taken name gets a numeric suffix, "name (2)").
#include <mutex>
#include <optional>

#include "api/state.h"
#include "auth/access.h"
#include "base/clock.h"
#include "base/ids.h"
#include "json/fields.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::api {
namespace {

constexpr const char* kKind = "component-group";
constexpr size_t kMaxMembers = 10000;

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

std::vector<std::string> Strings(const bj::object& o, const char* key) {
  std::vector<std::string> out;
  const bj::value* v = o.if_contains(key);
  if (!v || !v->is_array()) return out;
  for (const bj::value& e : v->get_array()) {
    if (e.is_string()) out.emplace_back(e.get_string());
  }
  return out;
}

base::Status NotFoundError(const std::string& id) {
  return base::NotFound("Component group '" + id + "' not found");
}

bool MayRead(const Call& c, const bj::object& doc) {
  const auth::Account& a = *c.account;
  if (a.admin || json::StringField(doc, "createdBy") == a.id) return true;
  std::vector<std::string> read = Strings(doc, "gbacRead");
  if (read.empty()) return true;
  std::vector<std::string> write = Strings(doc, "gbacWrite");
  read.insert(read.end(), write.begin(), write.end());
  return auth::CanSee(a, read);
}

bool MayWrite(const Call& c, const bj::object& doc) {
  const auth::Account& a = *c.account;
  if (a.admin || json::StringField(doc, "createdBy") == a.id) return true;
  std::vector<std::string> write = Strings(doc, "gbacWrite");
  return !write.empty() && auth::CanSee(a, write);
}

base::Status CheckGbac(Api::State& s, const bj::object& doc, const char* key, bool required) {
  const bj::value* v = doc.if_contains(key);
  if (!v) {
    return required ? base::InvalidArgument(std::string("component group ") + key +
                                            " is required (a list of group ids)")
                    : base::Status::Ok();
  }
  if (!v->is_array()) {
    return base::InvalidArgument(std::string("component group ") + key +
                                 " must be a list of group ids");
  }
  for (const bj::value& e : v->get_array()) {
    if (!e.is_string() || !s.deps.accounts->groups().Get(std::string(e.get_string())).ok()) {
      return base::InvalidArgument(std::string("component group ") + key + " entry " +
                                   bj::serialize(e) + " is not the _id of a group");
    }
  }
  return base::Status::Ok();
}

base::Status CheckMember(const bj::value& m, size_t i) {
  std::string where = "members[" + std::to_string(i) + "]";
  if (!m.is_object()) return base::InvalidArgument(where + " must be an object");
  const bj::object& o = m.get_object();
  std::string type = json::StringField(o, "type");
  const bj::value* path = o.if_contains("path");
  if (type == "folder") {
    if (path && !path->is_array()) {
      return base::InvalidArgument(where + ".path of a folder must be a list of strings");
    }
    if (path) {
      for (const bj::value& p : path->get_array()) {
        if (!p.is_string()) {
          return base::InvalidArgument(where + ".path of a folder must be a list of strings");
        }
      }
    }
    return base::Status::Ok();
  }
  if (type == "component") {
    for (const char* k : {"path", "sourceCollection", "ref"}) {
      const bj::value* v = o.if_contains(k);
      if (v && !v->is_string()) {
        return base::InvalidArgument(where + "." + k + " must be a string");
      }
    }
    return base::Status::Ok();
  }
  return base::InvalidArgument(where + ".type must be \"folder\" or \"component\"");
}

base::Status CheckDoc(Api::State& s, const bj::object& doc) {
  const bj::value* name = doc.if_contains("name");
  if (!name || !name->is_string() || name->get_string().empty() ||
      name->get_string().size() > 1024) {
    return base::InvalidArgument("component group name must be a string of 1 to 1024 characters");
  }
  if (const bj::value* d = doc.if_contains("description"); d && !d->is_string()) {
    return base::InvalidArgument("component group description must be a string");
  }
  OPSFLOW_RETURN_IF_ERROR(CheckGbac(s, doc, "gbacRead", true));
  OPSFLOW_RETURN_IF_ERROR(CheckGbac(s, doc, "gbacWrite", false));
  const bj::value* members = doc.if_contains("members");
  if (!members) return base::InvalidArgument("component group members is required (a list)");
  if (members->is_object()) return CheckMember(*members, 0);  // IAP allows one member bare
  if (!members->is_array()) return base::InvalidArgument("component group members must be a list");
  if (members->get_array().size() > kMaxMembers) {
    return base::InvalidArgument("component group members holds more than " +
                                 std::to_string(kMaxMembers) + " entries");
  }
  size_t i = 0;
  for (const bj::value& m : members->get_array()) OPSFLOW_RETURN_IF_ERROR(CheckMember(m, i++));
  if (const bj::value* v = doc.if_contains("version"); v && !v->is_number()) {
    return base::InvalidArgument("component group version must be a number");
  }
  if (const bj::value* m = doc.if_contains("meta"); m && !m->is_object()) {
    return base::InvalidArgument("component group meta must be an object");
  }
  return base::Status::Ok();
}

std::vector<bj::object> All(Api::State& s) {
  std::vector<bj::object> out;
  auto all = s.deps.docs->List(kKind);
  if (!all.ok()) return out;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (v.ok() && v->is_object()) out.push_back(std::move(v->as_object()));
  }
  return out;
}

base::Result<bj::object> Visible(Api::State& s, const Call& c, const std::string& id) {
  auto text = s.deps.docs->Get(kKind, id);
  if (!text.ok()) return NotFoundError(id);
  auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok() || !v->is_object() || !MayRead(c, v->get_object())) return NotFoundError(id);
  return std::move(v->as_object());
}

bool NameTaken(Api::State& s, const std::string& name, const std::string& except_id) {
  for (const bj::object& other : All(s)) {
    if (json::StringField(other, "name") == name && json::StringField(other, "_id") != except_id) return true;
  }
  return false;
}

// Checks and stores `doc`; REQUIRES WriteMutex held.
base::Result<bj::object> Store(Api::State& s, bj::object doc) {
  OPSFLOW_RETURN_IF_ERROR(CheckDoc(s, doc));
  if (NameTaken(s, json::StringField(doc, "name"), json::StringField(doc, "_id"))) {
    return base::AlreadyExists("A component group named '" + json::StringField(doc, "name") +
                               "' already exists");
  }
  OPSFLOW_RETURN_IF_ERROR(s.deps.docs->Put(kKind, json::StringField(doc, "_id"), bj::serialize(doc)));
  return doc;
}

// {componentGroup: {...}} / {update: {...}} (IAP), or the bare document.
bj::object Unwrap(const bj::object& body) {
  if (body.size() == 1) {
    for (const char* k : {"componentGroup", "update"}) {
      if (const bj::value* v = body.if_contains(k); v && v->is_object()) return v->get_object();
    }
  }
  return body;
}

bj::object NewDoc(const Call& c, bj::object doc) {
  std::string now = base::IsoTime(base::SystemClock::Get()->NowMs());
  doc["_id"] = base::NewObjectId();
  if (!doc.contains("description")) doc["description"] = "";
  if (!doc.contains("gbacWrite")) doc["gbacWrite"] = bj::array();
  doc["created"] = now;
  doc["createdBy"] = c.account->id;
  doc["lastUpdated"] = now;
  doc["lastUpdatedBy"] = c.account->id;
  return doc;
}

void ListGroups(Api::State& s, Call& c) {
  model::ListQuery q;
  if (!ParseList(s, c, &q)) return;
  std::vector<bj::value> docs;
  for (bj::object& d : All(s)) {
    if (MayRead(c, d)) docs.emplace_back(std::move(d));
  }
  ReplyFilteredItems(c, q, std::move(docs));
}

void GetGroup(Api::State& s, Call& c) {
  auto doc = Visible(s, c, c.params[0]);
  if (!doc.ok()) return ReplyError(c, doc.status());
  Reply(c, 200, *doc);
}

void CreateGroup(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  std::lock_guard<std::mutex> l(WriteMutex());
  auto stored = Store(s, NewDoc(c, Unwrap(body)));
  if (!stored.ok()) return ReplyError(c, stored.status());
  Reply(c, 200, *stored);
}

void UpdateGroup(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Visible(s, c, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  if (!MayWrite(c, *old)) {
    return ReplyError(c, 403, "'" + c.account->username + "' may not change component group '" +
                                  c.params[0] + "' (not in its gbacWrite)");
  }
  bj::object doc = *old;
  for (const auto& [k, v] : Unwrap(body)) {
    if (k == "_id" || k == "created" || k == "createdBy" || k == "lastUpdated" ||
        k == "lastUpdatedBy") {
      continue;
    }
    doc[k] = v;
  }
  doc["lastUpdated"] = base::IsoTime(base::SystemClock::Get()->NowMs());
  doc["lastUpdatedBy"] = c.account->id;
  auto stored = Store(s, std::move(doc));
  if (!stored.ok()) return ReplyError(c, stored.status());
  Reply(c, 200, *stored);
}

void DeleteGroup(Api::State& s, Call& c) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto old = Visible(s, c, c.params[0]);
  if (!old.ok()) return ReplyError(c, old.status());
  if (!MayWrite(c, *old)) {
    return ReplyError(c, 403, "'" + c.account->username + "' may not delete component group '" +
                                  c.params[0] + "' (not in its gbacWrite)");
  }
  base::Status st = s.deps.docs->Delete(kKind, c.params[0]);
  if (!st.ok()) return ReplyError(c, st);
  ReplyEnvelope(c, "Successfully deleted component group", bj::object{{"_id", c.params[0]}});
}

// {componentGroups: [doc, ...]}: every `_id` replaced, a taken name suffixed " (n)".
void ImportGroups(Api::State& s, Call& c) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return;
  const bj::value* list = body.if_contains("componentGroups");
  if (!list || !list->is_array()) {
    return ReplyError(c, 400, "body must be {\"componentGroups\": [<component group document>]}");
  }
  bj::array results;
  std::lock_guard<std::mutex> l(WriteMutex());
  for (const bj::value& item : list->get_array()) {
    base::Result<bj::object> r = base::InvalidArgument("a component group must be an object");
    if (item.is_object()) {
      bj::object doc = NewDoc(c, item.get_object());
      std::string name = json::StringField(doc, "name");
      if (!name.empty()) {
        for (int n = 2; NameTaken(s, json::StringField(doc, "name"), "") && n < 10000; ++n) {
          doc["name"] = name + " (" + std::to_string(n) + ")";
        }
      }
      r = Store(s, std::move(doc));
    }
    if (r.ok()) {
      results.push_back(bj::object{{"success", true}, {"data", std::move(r).value()}});
    } else {
      results.push_back(bj::object{{"success", false}, {"message", r.status().message()}});
    }
  }
  ReplyImport(c, "component groups", std::move(results));
}

}  // namespace

std::span<const Route> ComponentGroupRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/component-groups", ListGroups, true},
      {"POST", "/automation-studio/component-groups", CreateGroup, true},
      {"POST", "/automation-studio/component-groups/import", ImportGroups, true},
      {"GET", "/automation-studio/component-groups/:id", GetGroup, true},
      {"PUT", "/automation-studio/component-groups/:id", UpdateGroup, true},
      {"DELETE", "/automation-studio/component-groups/:id", DeleteGroup, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
