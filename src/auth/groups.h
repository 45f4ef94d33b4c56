// Groups (SPEC §3): named sets of users that carry roles. Stored in the DocStore under kind
// "group", keyed by the group's 24-hex ObjectId. Accounts refer to groups by id; job, workflow
// and task `groups` hold the same ids.
// Thread-safety: all methods are safe from any thread; a mutex keeps names unique within this
// process.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::auth {

struct Group {
  std::string id;  // ObjectId
  std::string name;
  std::string description;
  std::vector<std::string> roles;
  std::string created;       // ISO-8601
  std::string last_updated;  // ISO-8601
};

// The fields a PATCH may change; absent fields stay as they are.
struct GroupPatch {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> roles;
};

class Groups {
 public:
  Groups(store::DocStore* docs, base::Clock* clock) : docs_(docs), clock_(clock) {}

  // Every group, sorted by name.
  base::Result<std::vector<Group>> List();
  // NotFound when no group has this id.
  base::Result<Group> Get(const std::string& id);
  // NotFound when no group has this name.
  base::Result<Group> FindByName(const std::string& name);
  // InvalidArgument for a bad name or role, AlreadyExists for a taken name.
  base::Result<Group> Create(const std::string& name, const std::string& description,
                             const std::vector<std::string>& roles);
  base::Result<Group> Update(const std::string& id, const GroupPatch& patch);
  // Removes the group document only; Accounts::DeleteGroup also drops it from its members.
  base::Status Delete(const std::string& id);
  // Maps each entry (a group id or a group name) to a group id; InvalidArgument naming the
  // first entry that is neither. Duplicates are dropped, order kept.
  base::Result<std::vector<std::string>> Resolve(const std::vector<std::string>& names_or_ids);

 private:
  base::Status CheckName(const std::string& name, const std::string& except_id);

  store::DocStore* docs_;
  base::Clock* clock_;
  std::mutex mu_;  // serialises Create/Update so names stay unique
};

// Checks a group or role name: 1 to 256 characters, no control characters.
base::Status ValidateName(const std::string& what, const std::string& name);

}  // namespace opsflow::auth
