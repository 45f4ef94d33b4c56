#include "auth/access.h"

#include <algorithm>
#include <boost/json.hpp>

#include "json/parse.h"

namespace opsflow::auth {
namespace bj = boost::json;

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

bool CanSee(const Account& a, const std::vector<std::string>& item_groups) {
  if (a.admin || item_groups.empty()) return true;
  for (const std::string& g : item_groups) {
    if (Contains(a.groups, g)) return true;
  }
  return false;
}

std::vector<std::string> GroupsOf(const bj::value* groups) {
  std::vector<std::string> out;
  if (!groups || groups->is_null()) return out;
  const bj::array* arr = groups->if_array();
  if (!arr) return {std::string(kUnreadableGroup)};
  for (const bj::value& g : *arr) {
    if (g.is_string()) {
      out.emplace_back(g.get_string());
      continue;
    }
    const bj::value* id = nullptr;
    if (const bj::object* o = g.if_object()) {
      id = o->if_contains("_id");
      if (!id) id = o->if_contains("id");
    }
    out.emplace_back(id && id->is_string() ? std::string(id->get_string())
                                           : std::string(kUnreadableGroup));
  }
  return out;
}

std::vector<std::string> GroupsOfDoc(const bj::object& doc) {
  return GroupsOf(doc.if_contains("groups"));
}

std::vector<std::string> ParseGroupsJson(std::string_view text) {
  if (text.empty()) return {};
  auto v = json::Parse(text);
  if (!v.ok()) return {std::string(kUnreadableGroup)};
  return GroupsOf(&v.value());
}

std::optional<std::vector<std::string>> VisibleGroups(const Account& a) {
  if (a.admin) return std::nullopt;
  return a.groups;
}

std::optional<std::vector<std::string>> JobTaskVisibility(const Account* initiator,
                                                          std::string_view job_groups_json) {
  if (initiator) return VisibleGroups(*initiator);
  return ParseGroupsJson(job_groups_json);
}

base::Status CheckGrant(const Account& a, const std::string& group_id,
                        const std::function<bool(const std::string&)>& exists) {
  if (!exists || !exists(group_id)) {
    return base::InvalidArgument("group '" + group_id + "' does not exist");
  }
  if (a.admin || Contains(a.groups, group_id)) return base::Status::Ok();
  return base::PermissionDenied("'" + a.username + "' is not in group '" + group_id +
                                "'; only an admin may give a job a group its user is not in");
}

base::Status CheckRevoke(const Account& a, const std::vector<std::string>& current,
                         const std::string& group_id) {
  if (a.admin || !Contains(current, group_id)) return base::Status::Ok();
  if (!Contains(a.groups, group_id)) {
    return base::PermissionDenied("'" + a.username + "' is not in group '" + group_id +
                                  "'; only its members or an admin may remove it");
  }
  size_t left = 0;
  for (const std::string& g : current) left += g != group_id;
  if (left == 0) {
    return base::PermissionDenied("group '" + group_id +
                                  "' is the last group of the item; removing it would let every "
                                  "user see it, which only an admin may do");
  }
  return base::Status::Ok();
}

}  // namespace opsflow::auth
