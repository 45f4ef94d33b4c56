// ProjectStore: Automation Studio projects as stored documents (issue 16; IAP-REFERENCE §11,
// "AutomationStudio"). DocStore kind "project", key the project `_id` (24 hex); the document is
// the project in the `*.project.json` export format the CLI imports:
//   {_id, iid, name, description, thumbnail, backgroundColor, folders, components:
//    [{iid, type, folder, document}], members: [{type: "account"|"group", reference, role}],
//    created, createdBy, lastUpdated, lastUpdatedBy, ...}
// Components keep their documents inside the project (they are not registered as runnable
// workflows here; `opsflow import` does that). An import stores the export as given (only a
// missing `_id` is filled in, and a non-admin importer who would not see it becomes a member),
// so an export of an imported project gives back the file field for field.
// Access (docs/DECISIONS.md "Automation Studio projects"): admins see every project; others the
// projects they created and those whose `members` name them or one of their groups. A project
// the caller may not see is answered as one that does not exist (NotFound).
// Thread-safety: every method is safe from any thread; read-modify-write of projects is
// serialized by a process-wide mutex.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <string>
#include <vector>

#include "auth/accounts.h"
#include "base/clock.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::api {

// Gives the document a component refers to: (type, reference) -> the workflow or JST document,
// NotFound when there is none the caller may see.
using ComponentResolver =
    std::function<base::Result<boost::json::object>(const std::string&, const std::string&)>;

class ProjectStore {
 public:
  ProjectStore(store::DocStore* docs, base::Clock* clock) : docs_(docs), clock_(clock) {}

  // Whether `a` may see (and so change) `project`.
  static bool MaySee(const auth::Account& a, const boost::json::object& project);

  // The projects `a` may see, in storage order.
  base::Result<std::vector<boost::json::value>> List(const auth::Account& a);
  base::Result<boost::json::object> Get(const auth::Account& a, const std::string& id);
  // A new project from {name, description?, backgroundColor?, thumbnail?, components?, folders?,
  // members?}; the creator becomes its owner. InvalidArgument names a bad field.
  base::Result<boost::json::object> Create(const auth::Account& a, const boost::json::object& body);
  // Changes the given fields (name, description, backgroundColor, thumbnail, folders, members,
  // components); `_id`, `iid` and the created/lastUpdated fields are not the caller's to set. A
  // non-admin may not leave the project hidden from themselves (PermissionDenied).
  base::Result<boost::json::object> Update(const auth::Account& a, const std::string& id,
                                           const boost::json::object& patch);
  base::Status Delete(const auth::Account& a, const std::string& id);
  // Stores an export as given (see above). AlreadyExists when its `_id` is taken.
  base::Result<boost::json::object> Import(const auth::Account& a, boost::json::object project);
  // Adds components [{type, reference | document, folder?}] (a reference is resolved into its
  // document by `resolve`); each gets the next `iid`.
  base::Result<boost::json::object> AddComponents(const auth::Account& a, const std::string& id,
                                                  const boost::json::array& components,
                                                  const ComponentResolver& resolve);
  // Removes the component whose `iid`, document `_id` or document `name` is `component_id`.
  base::Result<boost::json::object> RemoveComponent(const auth::Account& a, const std::string& id,
                                                    const std::string& component_id);
  // Stores the thumbnail (a string, typically a data URL or base64 image) and, when given, the
  // background colour.
  base::Result<boost::json::object> SetThumbnail(const auth::Account& a, const std::string& id,
                                                 const boost::json::value& thumbnail,
                                                 const boost::json::value* background_color);

 private:
  base::Result<boost::json::object> Load(const auth::Account& a, const std::string& id);
  base::Status Save(const boost::json::object& project);
  void Touch(const auth::Account& a, boost::json::object& project) const;

  store::DocStore* docs_;
  base::Clock* clock_;
};

}  // namespace opsflow::api
