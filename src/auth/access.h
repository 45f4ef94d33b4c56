// Group-based access (GBAC, SPEC §3; docs/ACCOUNTS.md "Who sees what"): the one place that
// decides whether an account may see or act on a workflow, a job, a task iteration or a manual
// task, and which groups it may give a job. Items carry `groups`, a list of group ids:
//   * admins see everything;
//   * an empty list means every authenticated user;
//   * otherwise the account must be in at least one of the item's groups.
// Everything here is pure: callers read the groups and the account, these functions decide.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/accounts.h"
#include "base/status.h"

namespace opsflow::auth {

// The group id that no account can be in: a malformed `groups` value reads as this, so an item
// whose groups cannot be read is visible to admins only (fail closed).
inline constexpr std::string_view kUnreadableGroup = "<unreadable groups>";  // model/groups.h

// True when `a` may see (and so act on) an item with these groups.
bool CanSee(const Account& a, const std::vector<std::string>& item_groups);

// The group ids of a document's `groups` value. Missing or null: no groups. An array: its
// strings, and the `_id` (or `id`) of object entries; any other entry, or a value that is not an
// array, gives kUnreadableGroup.
std::vector<std::string> GroupsOf(const boost::json::value* groups);
// Same for the `groups` member of an object document (a workflow, a task definition).
std::vector<std::string> GroupsOfDoc(const boost::json::object& doc);
// Same for stored JSON text (model::JobRecord::groups_json); text that does not parse gives
// kUnreadableGroup.
std::vector<std::string> ParseGroupsJson(std::string_view text);

// The filter a store applies to lists for `a`: nullopt for admins (every item), otherwise the
// account's group ids (items with no groups, or sharing one of these).
std::optional<std::vector<std::string>> VisibleGroups(const Account& a);

// What the tasks of a job (getJobs, getTasks) may list: what its initiator may see now; a job
// whose initiator is no account (the system user of schedule and event triggers, a deleted
// account: `initiator` null) sees what a member of exactly the job's own groups would see.
std::optional<std::vector<std::string>> JobTaskVisibility(const Account* initiator,
                                                          std::string_view job_groups_json);

// Whether `a` may give an item group `group_id` (jobs/start options.groups, adding a group to a
// job). The group must exist (InvalidArgument "group '<id>' does not exist", asking `exists`);
// admins may give any group, others only groups they belong to (PermissionDenied naming it).
base::Status CheckGrant(const Account& a, const std::string& group_id,
                        const std::function<bool(const std::string&)>& exists);

// Whether `a` may take `group_id` off an item whose groups are now `current`. Admins may remove
// any group. Others only a group they belong to, and never the item's last group (that would
// open the item to every user): PermissionDenied saying which rule refused.
base::Status CheckRevoke(const Account& a, const std::vector<std::string>& current,
                         const std::string& group_id);

// Whether a list filter (`visible`, from VisibleGroups or JobTaskVisibility: nullopt for
// everything) admits an item with these groups: it has none, or shares one with `visible`.
bool VisibleUnder(const std::optional<std::vector<std::string>>& visible,
                  const std::vector<std::string>& item_groups);

// Whether `a` may change an item's groups from `before` to `after` (an overwrite): each added
// group passes CheckGrant and each removed one CheckRevoke, in order, against the groups with the
// additions (a swap [g1] -> [g2] removes no last group). Admins may do anything.
base::Status CheckGroupsChange(const Account& a, const std::vector<std::string>& before,
                               const std::vector<std::string>& after,
                               const std::function<bool(const std::string&)>& exists);

// The groups of an item `a` creates (a transformation) whose document carries `given` (nullopt:
// no `groups` member). A non-admin's item without groups gets the creator's groups (none when
// the creator is in none: every user sees it); given groups must each pass CheckGrant for a
// non-admin. An admin's groups are kept as given (none: every user).
base::Result<std::vector<std::string>> GroupsForNewItem(
    const Account& a, const std::optional<std::vector<std::string>>& given,
    const std::function<bool(const std::string&)>& exists);

// Automations (SPEC §4) carry gbac {read[], write[]} (group ids; read groups need a write group)
// instead of `groups`. Admins may do anything; both lists empty: every user may read and change
// the automation; otherwise an account reads it when one of its groups is in read or write, and
// changes it (and its triggers) when one is in write. A missing or malformed gbac reads as empty
// lists (validation normalises it on every write). A trigger's access follows its automation.
bool CanReadAutomation(const Account& a, const boost::json::object& automation);
bool CanChangeAutomation(const Account& a, const boost::json::object& automation);
// The group ids in an automation's gbac read and write lists, each once, read first: the groups
// of the jobs its triggers start, and what an event trigger's automation may see of a job.
std::vector<std::string> AutomationGroups(const boost::json::object& automation);

}  // namespace opsflow::auth
