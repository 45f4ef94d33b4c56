#include "auth/groups.h"

#include <algorithm>
#include <boost/json.hpp>

#include "base/ids.h"
#include "json/fields.h"

namespace opsflow::auth {
namespace bj = boost::json;

namespace {

base::Result<Group> Decode(const std::string& text) {
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec || !v.is_object()) return base::Internal("corrupt group record");
  const bj::object& o = v.get_object();
  Group g;
  g.id = json::StringField(o, "_id");
  g.name = json::StringField(o, "name");
  g.description = json::StringField(o, "description");
  g.created = json::StringField(o, "created");
  g.last_updated = json::StringField(o, "last_updated");
  if (const bj::value* r = o.if_contains("roles"); r && r->is_array()) {
    for (const bj::value& e : r->get_array()) {
      if (e.is_string()) g.roles.emplace_back(e.get_string());
    }
  }
  return g;
}

std::string Encode(const Group& g) {
  bj::array roles;
  for (const auto& r : g.roles) roles.emplace_back(r);
  bj::object o{{"_id", g.id},
               {"name", g.name},
               {"description", g.description},
               {"roles", std::move(roles)},
               {"provenance", "opsflow"},
               {"created", g.created},
               {"last_updated", g.last_updated}};
  return bj::serialize(o);
}

base::Status ValidateRoles(const std::vector<std::string>& roles) {
  if (roles.size() > 1000) return base::InvalidArgument("a group has at most 1000 roles");
  for (const auto& r : roles) OPSFLOW_RETURN_IF_ERROR(ValidateName("role", r));
  return base::Status::Ok();
}

std::vector<std::string> Dedup(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  for (const auto& s : in) {
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

}  // namespace

base::Status ValidateName(const std::string& what, const std::string& name) {
  if (name.empty() || name.size() > 256) {
    return base::InvalidArgument(what + " name must be 1 to 256 characters");
  }
  for (char ch : name) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return base::InvalidArgument(what + " name must not contain control characters");
    }
  }
  return base::Status::Ok();
}

base::Result<std::vector<Group>> Groups::List() {
  OPSFLOW_ASSIGN_OR_RETURN(auto docs, docs_->List("group"));
  std::vector<Group> out;
  out.reserve(docs.size());
  for (const auto& d : docs) {
    OPSFLOW_ASSIGN_OR_RETURN(Group g, Decode(d.doc_json));
    out.push_back(std::move(g));
  }
  std::sort(out.begin(), out.end(), [](const Group& a, const Group& b) { return a.name < b.name; });
  return out;
}

base::Result<Group> Groups::Get(const std::string& id) {
  if (!base::IsObjectId(id)) return base::NotFound("no group has the id '" + id + "'");
  auto text = docs_->Get("group", id);
  if (!text.ok()) {
    if (text.status().code() == base::Code::kNotFound) {
      return base::NotFound("no group has the id '" + id + "'");
    }
    return text.status();
  }
  return Decode(*text);
}

base::Result<Group> Groups::FindByName(const std::string& name) {
  OPSFLOW_ASSIGN_OR_RETURN(auto all, List());
  for (auto& g : all) {
    if (g.name == name) return std::move(g);
  }
  return base::NotFound("no group is named '" + name + "'");
}

base::Status Groups::CheckName(const std::string& name, const std::string& except_id) {
  OPSFLOW_RETURN_IF_ERROR(ValidateName("group", name));
  auto found = FindByName(name);
  if (found.ok() && found->id != except_id) {
    return base::AlreadyExists("a group named '" + name + "' already exists");
  }
  if (!found.ok() && found.status().code() != base::Code::kNotFound) return found.status();
  return base::Status::Ok();
}

base::Result<Group> Groups::Create(const std::string& name, const std::string& description,
                                   const std::vector<std::string>& roles) {
  if (description.size() > 4096) {
    return base::InvalidArgument("description must be at most 4096 characters");
  }
  OPSFLOW_RETURN_IF_ERROR(ValidateRoles(roles));
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_RETURN_IF_ERROR(CheckName(name, ""));
  Group g;
  g.id = base::NewObjectId();
  g.name = name;
  g.description = description;
  g.roles = Dedup(roles);
  g.created = g.last_updated = base::IsoTime(clock_->NowMs());
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("group", g.id, Encode(g)));
  return g;
}

base::Result<Group> Groups::Update(const std::string& id, const GroupPatch& patch) {
  if (patch.description && patch.description->size() > 4096) {
    return base::InvalidArgument("description must be at most 4096 characters");
  }
  if (patch.roles) OPSFLOW_RETURN_IF_ERROR(ValidateRoles(*patch.roles));
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(Group g, Get(id));
  if (patch.name) {
    OPSFLOW_RETURN_IF_ERROR(CheckName(*patch.name, id));
    g.name = *patch.name;
  }
  if (patch.description) g.description = *patch.description;
  if (patch.roles) g.roles = Dedup(*patch.roles);
  g.last_updated = base::IsoTime(clock_->NowMs());
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("group", g.id, Encode(g)));
  return g;
}

base::Status Groups::Delete(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  OPSFLOW_ASSIGN_OR_RETURN(Group g, Get(id));
  return docs_->Delete("group", g.id);
}

base::Result<std::vector<std::string>> Groups::Resolve(
    const std::vector<std::string>& names_or_ids) {
  if (names_or_ids.empty()) return std::vector<std::string>();
  OPSFLOW_ASSIGN_OR_RETURN(auto all, List());
  std::vector<std::string> out;
  for (const auto& want : names_or_ids) {
    const Group* hit = nullptr;
    for (const auto& g : all) {
      if (g.id == want) hit = &g;
    }
    for (const auto& g : all) {
      if (!hit && g.name == want) hit = &g;
    }
    if (!hit) return base::InvalidArgument("no group has the id or name '" + want + "'");
    if (std::find(out.begin(), out.end(), hit->id) == out.end()) out.push_back(hit->id);
  }
  return out;
}

}  // namespace opsflow::auth
