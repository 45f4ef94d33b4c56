// The `groups` of jobs, workflows, transformations and automations, as pure functions over group
// ids (SPEC §3, docs/ACCOUNTS.md "Who sees what"). auth/access.h applies them to accounts; the
// runtime and the trigger service, which do not know accounts, apply them to a "visibility": the
// group ids whose items someone may see, or nullopt for everything (an admin).
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opsflow::model {

// The group id that no account can be in: a malformed `groups` value reads as this, so an item
// whose groups cannot be read is visible to admins only (fail closed).
inline constexpr std::string_view kUnreadableGroup = "<unreadable groups>";

// The group ids of a `groups` value. Missing or null: no groups. An array: its strings, and the
// `_id` (or `id`) of object entries; any other entry, or a value that is not an array, gives
// kUnreadableGroup.
std::vector<std::string> GroupsOf(const boost::json::value* groups);
// Same for the `groups` member of an object document (a workflow, a task definition, a JST).
std::vector<std::string> GroupsOfDoc(const boost::json::object& doc);
// Same for stored JSON text; text that does not parse gives kUnreadableGroup.
std::vector<std::string> ParseGroupsJson(std::string_view text);

// Who sees what: nullopt sees everything; otherwise an item is visible when it has no groups or
// shares one with `visible`.
using Visibility = std::optional<std::vector<std::string>>;
bool Sees(const Visibility& visible, const std::vector<std::string>& item_groups);

// The groups of a job started from a workflow by a requester whose job would get `job_groups`
// (its parent's groups, an automation's groups): as private as both where they share groups
// (their intersection), else as private as the workflow (its groups), so a restricted workflow
// never yields a job a wider audience can read. Either list empty: the other one.
std::vector<std::string> PrivateGroups(const std::vector<std::string>& job_groups,
                                       const std::vector<std::string>& workflow_groups);

}  // namespace opsflow::model
