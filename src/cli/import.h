// `opsflow import`: classifies IAP export files and sends them to the server.
// Thread-safety: stateless functions; RunImport uses the given client from one thread.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>
#include <ostream>
#include <string>
#include <vector>

namespace opsflow::cli {

class ApiClient;

enum class DocKind {
  kWorkflow,        // an object with `tasks` and `transitions`
  kTransformation,  // a JST: `incoming`, `outgoing` and `steps`
  kProject,         // a project export: `components` [{type, document}]
  kStubFixture,     // an IAP test fixture: `stubTasks` / `expectedTaskResults`
  kJsonForm,        // a JSON form: `struct`, `schema`, `uiSchema`
  kUnknown,
};

DocKind Classify(const boost::json::value& doc);

// Why a document of this kind is not imported ("" for kinds that are imported).
std::string SkipReason(DocKind kind);

// The files named by `args`: a file as given, a directory as every *.json below it
// (recursively), each group sorted. Paths that do not exist go to `errors` as sentences.
std::vector<std::string> ExpandImportPaths(const std::vector<std::string>& args,
                                           std::vector<std::string>* errors);

// The name IAP gives a workflow of project `project_id`: "@<projectId>: <name>".
std::string ProjectWorkflowName(const std::string& project_id, const std::string& name);

struct ImportItem {
  std::string source;  // the file (and component) it came from
  std::string name;
  boost::json::object doc;
};

// What an import will send, and what it reports without sending.
struct ImportPlan {
  std::vector<ImportItem> transformations;
  std::vector<ImportItem> workflows;
  std::vector<std::string> skipped;  // lines "skipped <file>: <why>"
  std::vector<std::string> errors;   // lines "failed <file>: <why>"
};

// Reads and classifies one file into `plan`.
void AddFileToPlan(const std::string& path, ImportPlan* plan);
// Adds the parsed document `doc` read from `source`.
void AddDocumentToPlan(const std::string& source, boost::json::value doc, ImportPlan* plan);
// Adds a project export: its workflows renamed "@<projectId>: <name>" (childJob references to
// the project's own workflows renamed the same way) and its transformations.
void AddProjectToPlan(const std::string& source, const boost::json::object& project,
                      ImportPlan* plan);

// Groups workflows into request bodies of at most `max_bytes` serialized (a single larger
// workflow goes alone) and at most `max_items` each.
std::vector<std::vector<const ImportItem*>> BatchWorkflows(const std::vector<ImportItem>& items,
                                                           size_t max_bytes, size_t max_items);

// Runs the import of `paths`; prints one line per item to `out`. Returns the exit code.
int RunImport(ApiClient& client, const std::vector<std::string>& paths, std::ostream& out,
              std::ostream& err);

}  // namespace opsflow::cli
