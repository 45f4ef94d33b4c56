#include "model/groups.h"

#include <algorithm>
#include <boost/json.hpp>

#include "json/parse.h"

namespace opsflow::model {
namespace bj = boost::json;

namespace {

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

}  // namespace

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

bool Sees(const Visibility& visible, const std::vector<std::string>& item_groups) {
  if (!visible || item_groups.empty()) return true;
  for (const std::string& g : item_groups) {
    if (Contains(*visible, g)) return true;
  }
  return false;
}

std::vector<std::string> PrivateGroups(const std::vector<std::string>& job_groups,
                                       const std::vector<std::string>& workflow_groups) {
  if (workflow_groups.empty()) return job_groups;
  if (job_groups.empty()) return workflow_groups;
  std::vector<std::string> both;
  for (const std::string& g : job_groups) {
    if (Contains(workflow_groups, g) && !Contains(both, g)) both.push_back(g);
  }
  return both.empty() ? workflow_groups : both;
}

}  // namespace opsflow::model
