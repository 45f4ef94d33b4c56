#include "auth/access.h"

#include <algorithm>
#include <boost/json.hpp>

#include "json/parse.h"
#include "model/groups.h"

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
  return model::GroupsOf(groups);
}

std::vector<std::string> GroupsOfDoc(const bj::object& doc) {
  return model::GroupsOfDoc(doc);
}

std::vector<std::string> ParseGroupsJson(std::string_view text) {
  return model::ParseGroupsJson(text);
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

bool VisibleUnder(const std::optional<std::vector<std::string>>& visible,
                  const std::vector<std::string>& item_groups) {
  return model::Sees(visible, item_groups);
}

base::Status CheckGroupsChange(const Account& a, const std::vector<std::string>& before,
                               const std::vector<std::string>& after,
                               const std::function<bool(const std::string&)>& exists) {
  if (a.admin || before == after) return base::Status::Ok();
  for (const std::string& g : after) {
    if (!Contains(before, g)) OPSFLOW_RETURN_IF_ERROR(CheckGrant(a, g, exists));
  }
  // The groups added count as there when one is removed: a swap ([g1] -> [g2]) never leaves
  // the item open to every user, so it is not the removal of a last group.
  std::vector<std::string> current = before;
  for (const std::string& g : after) {
    if (!Contains(current, g)) current.push_back(g);
  }
  for (const std::string& g : before) {
    if (Contains(after, g)) continue;
    OPSFLOW_RETURN_IF_ERROR(CheckRevoke(a, current, g));
    current.erase(std::find(current.begin(), current.end(), g));
  }
  return base::Status::Ok();
}

base::Result<std::vector<std::string>> GroupsForNewItem(
    const Account& a, const std::optional<std::vector<std::string>>& given,
    const std::function<bool(const std::string&)>& exists) {
  if (!given) return a.admin ? std::vector<std::string>() : a.groups;
  if (!a.admin) {
    for (const std::string& g : *given) OPSFLOW_RETURN_IF_ERROR(CheckGrant(a, g, exists));
  }
  return *given;
}

namespace {

const bj::value* GbacList(const bj::object& automation, const char* key) {
  const bj::value* g = automation.if_contains("gbac");
  return g && g->is_object() ? g->get_object().if_contains(key) : nullptr;
}

bool EmptyList(const bj::value* list) {
  return !list || !list->is_array() || list->get_array().empty();
}

bool InList(const std::vector<std::string>& groups, const bj::value* list) {
  if (!list || !list->is_array()) return false;
  for (const bj::value& g : list->get_array()) {
    if (g.is_string() && std::find(groups.begin(), groups.end(), g.get_string()) != groups.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool CanReadAutomation(const Account& a, const bj::object& automation) {
  if (a.admin) return true;
  const bj::value* r = GbacList(automation, "read");
  const bj::value* w = GbacList(automation, "write");
  if (EmptyList(r) && EmptyList(w)) return true;
  return InList(a.groups, r) || InList(a.groups, w);
}

bool CanChangeAutomation(const Account& a, const bj::object& automation) {
  if (a.admin) return true;
  const bj::value* w = GbacList(automation, "write");
  if (EmptyList(w)) return EmptyList(GbacList(automation, "read"));
  return InList(a.groups, w);
}

std::vector<std::string> AutomationGroups(const bj::object& automation) {
  std::vector<std::string> out;
  for (const char* k : {"read", "write"}) {
    for (const std::string& id : model::GroupsOf(GbacList(automation, k))) {
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
  }
  return out;
}

}  // namespace opsflow::auth
