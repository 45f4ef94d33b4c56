#include "api/project_store.h"

#include <algorithm>
#include <mutex>

#include "base/ids.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::api {
namespace {

namespace bj = boost::json;

constexpr const char* kKind = "project";

std::mutex& WriteMutex() {
  static std::mutex mu;
  return mu;
}

base::Status NotFoundError(const std::string& id) {
  return base::NotFound("Project '" + id + "' not found");
}

// The highest component `iid` in use, -1 when none.
int64_t MaxIid(const bj::array& components) {
  int64_t max = -1;
  for (const bj::value& c : components) {
    const bj::value* iid = c.is_object() ? c.as_object().if_contains("iid") : nullptr;
    if (iid && iid->is_int64()) max = std::max(max, iid->get_int64());
    if (iid && iid->is_uint64()) max = std::max(max, static_cast<int64_t>(iid->get_uint64()));
  }
  return max;
}

base::Status CheckComponents(const bj::value& v) {
  if (!v.is_array()) return base::InvalidArgument("components must be an array");
  for (const bj::value& c : v.get_array()) {
    if (!c.is_object() || json::StringField(c.get_object(), "type").empty()) {
      return base::InvalidArgument("every component must be an object with a string 'type'");
    }
    const bj::value* doc = c.get_object().if_contains("document");
    if (doc && !doc->is_object()) {
      return base::InvalidArgument("a component's 'document' must be an object");
    }
  }
  return base::Status::Ok();
}

base::Status CheckMembers(const bj::value& v) {
  if (!v.is_array()) return base::InvalidArgument("members must be an array");
  for (const bj::value& m : v.get_array()) {
    if (!m.is_object()) return base::InvalidArgument("every member must be an object");
    std::string type = json::StringField(m.get_object(), "type");
    if ((type != "account" && type != "group") || json::StringField(m.get_object(), "reference").empty()) {
      return base::InvalidArgument(
          "every member must be {type: \"account\"|\"group\", reference: <id>, role}");
    }
  }
  return base::Status::Ok();
}

// The fields a caller may set on create and update, and their checks.
base::Status CheckField(const std::string& key, const bj::value& v) {
  if (key == "name") {
    if (!v.is_string() || v.get_string().empty()) {
      return base::InvalidArgument("name must be a non-empty string");
    }
  } else if (key == "description" || key == "backgroundColor" || key == "thumbnail") {
    if (!v.is_string() && !v.is_null()) return base::InvalidArgument(key + " must be a string");
  } else if (key == "folders") {
    if (!v.is_array()) return base::InvalidArgument("folders must be an array");
  } else if (key == "components") {
    return CheckComponents(v);
  } else if (key == "members") {
    return CheckMembers(v);
  }
  return base::Status::Ok();
}

constexpr const char* kSettable[] = {"name",    "description", "backgroundColor", "thumbnail",
                                     "folders", "components",  "members"};

bj::object OwnerMember(const auth::Account& a) {
  return {{"type", "account"}, {"reference", a.id}, {"role", "owner"}, {"username", a.username}};
}

}  // namespace

bool ProjectStore::MaySee(const auth::Account& a, const bj::object& project) {
  if (a.admin) return true;
  if (!a.id.empty() && json::StringField(project, "createdBy") == a.id) return true;
  const bj::value* members = project.if_contains("members");
  if (!members || !members->is_array()) return false;
  for (const bj::value& m : members->get_array()) {
    if (!m.is_object()) continue;
    std::string type = json::StringField(m.get_object(), "type");
    std::string ref = json::StringField(m.get_object(), "reference");
    if (type == "account" && !ref.empty() && (ref == a.id || ref == a.username)) return true;
    if (type == "group" && std::find(a.groups.begin(), a.groups.end(), ref) != a.groups.end()) {
      return true;
    }
  }
  return false;
}

base::Result<std::vector<bj::value>> ProjectStore::List(const auth::Account& a) {
  auto all = docs_->List(kKind);
  if (!all.ok()) return all.status();
  std::vector<bj::value> out;
  for (const auto& d : *all) {
    auto v = json::Parse(d.doc_json, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    if (!v.ok() || !v->is_object() || !MaySee(a, v->get_object())) continue;
    out.push_back(std::move(v).value());
  }
  return out;
}

base::Result<bj::object> ProjectStore::Load(const auth::Account& a, const std::string& id) {
  auto text = docs_->Get(kKind, id);
  if (!text.ok()) return NotFoundError(id);
  auto v = json::Parse(*text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  if (!v.ok() || !v->is_object() || !MaySee(a, v->get_object())) return NotFoundError(id);
  return std::move(v->as_object());
}

base::Result<bj::object> ProjectStore::Get(const auth::Account& a, const std::string& id) {
  return Load(a, id);
}

base::Status ProjectStore::Save(const bj::object& project) {
  return docs_->Put(kKind, json::StringField(project, "_id"), bj::serialize(project));
}

void ProjectStore::Touch(const auth::Account& a, bj::object& project) const {
  project["lastUpdated"] = base::IsoTime(clock_->NowMs());
  project["lastUpdatedBy"] = a.id;
}

base::Result<bj::object> ProjectStore::Create(const auth::Account& a, const bj::object& body) {
  if (!body.contains("name")) return base::InvalidArgument("name must be a non-empty string");
  std::string now = base::IsoTime(clock_->NowMs());
  bj::object p;
  p["_id"] = base::NewObjectId();
  p["iid"] = 0;
  p["name"] = "";
  p["description"] = "";
  p["backgroundColor"] = "#FFFFFF";
  p["thumbnail"] = nullptr;
  p["folders"] = bj::array();
  p["components"] = bj::array();
  p["members"] = bj::array{OwnerMember(a)};
  for (const char* k : kSettable) {
    const bj::value* v = body.if_contains(k);
    if (!v) continue;
    OPSFLOW_RETURN_IF_ERROR(CheckField(k, *v));
    p[k] = *v;
  }
  // Components given at creation are numbered like added ones.
  bj::array& comps = p["components"].as_array();
  for (bj::value& c : comps) {
    if (!c.as_object().contains("iid")) c.as_object()["iid"] = MaxIid(comps) + 1;
  }
  p["created"] = now;
  p["createdBy"] = a.id;
  p["lastUpdated"] = now;
  p["lastUpdatedBy"] = a.id;
  if (!MaySee(a, p)) return base::PermissionDenied("the new project would be hidden from you");
  std::lock_guard<std::mutex> l(WriteMutex());
  OPSFLOW_RETURN_IF_ERROR(Save(p));
  return p;
}

base::Result<bj::object> ProjectStore::Update(const auth::Account& a, const std::string& id,
                                              const bj::object& patch) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto p = Load(a, id);
  if (!p.ok()) return p.status();
  for (const auto& [k, v] : patch) {
    if (std::find(std::begin(kSettable), std::end(kSettable), k) == std::end(kSettable)) {
      return base::InvalidArgument("'" + std::string(k) + "' of a project cannot be updated");
    }
    OPSFLOW_RETURN_IF_ERROR(CheckField(std::string(k), v));
    (*p)[k] = v;
  }
  if (!MaySee(a, *p)) {
    return base::PermissionDenied("this change would hide project '" + id + "' from you");
  }
  Touch(a, *p);
  OPSFLOW_RETURN_IF_ERROR(Save(*p));
  return p;
}

base::Status ProjectStore::Delete(const auth::Account& a, const std::string& id) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto p = Load(a, id);
  if (!p.ok()) return p.status();
  return docs_->Delete(kKind, id);
}

base::Result<bj::object> ProjectStore::Import(const auth::Account& a, bj::object project) {
  const bj::value* id = project.if_contains("_id");
  if (!id) id = project.if_contains("id");
  if (id && (!id->is_string() || !base::IsObjectId(id->get_string()))) {
    return base::InvalidArgument("the project's _id must be 24 hex characters");
  }
  if (!project.contains("_id")) project["_id"] = id ? *id : bj::value(base::NewObjectId());
  const bj::value* components = project.if_contains("components");
  if (!components) return base::InvalidArgument("a project export must have 'components'");
  OPSFLOW_RETURN_IF_ERROR(CheckComponents(*components));
  for (const char* k : {"name", "members", "folders"}) {
    if (const bj::value* v = project.if_contains(k)) OPSFLOW_RETURN_IF_ERROR(CheckField(k, *v));
  }
  if (!MaySee(a, project)) {
    bj::value& members = project["members"];
    if (!members.is_array()) members = bj::array();
    members.as_array().push_back(OwnerMember(a));
  }
  std::string key = json::StringField(project, "_id");
  std::lock_guard<std::mutex> l(WriteMutex());
  if (docs_->Get(kKind, key).ok()) {
    return base::AlreadyExists("A project with _id '" + key + "' already exists");
  }
  OPSFLOW_RETURN_IF_ERROR(Save(project));
  return project;
}

base::Result<bj::object> ProjectStore::AddComponents(const auth::Account& a, const std::string& id,
                                                     const bj::array& components,
                                                     const ComponentResolver& resolve) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto p = Load(a, id);
  if (!p.ok()) return p.status();
  bj::value& list = (*p)["components"];
  if (!list.is_array()) list = bj::array();
  int64_t next = MaxIid(list.as_array()) + 1;
  for (const bj::value& c : components) {
    if (!c.is_object() || json::StringField(c.get_object(), "type").empty()) {
      return base::InvalidArgument("every component must be an object with a string 'type'");
    }
    const bj::object& in = c.get_object();
    bj::object comp{{"iid", next++}, {"type", json::StringField(in, "type")}};
    comp["folder"] = in.contains("folder") ? in.at("folder") : bj::value("/");
    if (const bj::value* doc = in.if_contains("document")) {
      if (!doc->is_object())
        return base::InvalidArgument("a component's 'document' must be an object");
      comp["document"] = *doc;
    } else if (std::string ref = json::StringField(in, "reference"); !ref.empty()) {
      auto doc2 = resolve(json::StringField(in, "type"), ref);
      if (!doc2.ok()) return doc2.status();
      comp["document"] = std::move(doc2).value();
    } else {
      return base::InvalidArgument("a component needs a 'reference' or a 'document'");
    }
    list.as_array().push_back(std::move(comp));
  }
  Touch(a, *p);
  OPSFLOW_RETURN_IF_ERROR(Save(*p));
  return p;
}

base::Result<bj::object> ProjectStore::RemoveComponent(const auth::Account& a,
                                                       const std::string& id,
                                                       const std::string& component_id) {
  std::lock_guard<std::mutex> l(WriteMutex());
  auto p = Load(a, id);
  if (!p.ok()) return p.status();
  bj::value* list = p->if_contains("components");
  if (list && list->is_array()) {
    bj::array& arr = list->as_array();
    for (auto it = arr.begin(); it != arr.end(); ++it) {
      if (!it->is_object()) continue;
      const bj::object& comp = it->get_object();
      const bj::value* iid = comp.if_contains("iid");
      bool hit = iid && iid->is_number() && bj::serialize(*iid) == component_id;
      if (const bj::value* doc = comp.if_contains("document"); !hit && doc && doc->is_object()) {
        hit = json::StringField(doc->get_object(), "_id") == component_id ||
              json::StringField(doc->get_object(), "name") == component_id;
      }
      if (!hit) continue;
      arr.erase(it);
      Touch(a, *p);
      OPSFLOW_RETURN_IF_ERROR(Save(*p));
      return p;
    }
  }
  return base::NotFound("Project '" + id + "' has no component '" + component_id + "'");
}

base::Result<bj::object> ProjectStore::SetThumbnail(const auth::Account& a, const std::string& id,
                                                    const bj::value& thumbnail,
                                                    const bj::value* background_color) {
  OPSFLOW_RETURN_IF_ERROR(CheckField("thumbnail", thumbnail));
  if (background_color) OPSFLOW_RETURN_IF_ERROR(CheckField("backgroundColor", *background_color));
  std::lock_guard<std::mutex> l(WriteMutex());
  auto p = Load(a, id);
  if (!p.ok()) return p.status();
  (*p)["thumbnail"] = thumbnail;
  if (background_color) (*p)["backgroundColor"] = *background_color;
  Touch(a, *p);
  OPSFLOW_RETURN_IF_ERROR(Save(*p));
  return p;
}

}  // namespace opsflow::api
