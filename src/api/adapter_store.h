// AdapterStore: the adapter instances the server stores, as IAP's Adapters application keeps its
// service configs (issue #14, IAP-REFERENCE §11): DocStore kind "adapter", key the instance name,
// each document {"data": <IAP service config>, "state": "RUNNING"|"STOPPED", "generation": n}.
// `data` is always normalized to IAP's shape:
//   {name, type: "Adapter", model?, dir?, properties: {id: name, type: <package export>,
//    brokers, groups, properties: <what new Adapter(id, properties) receives>}, isEncrypted: false,
//    loggerProps, virtual: false}
// (`dir`, the installed package's folder, is an opsflow extension). `generation` grows on every
// start and restart, so that adapter hosts (adapters/host) restart their child for it.
// Secrets: values are stored as given; MaskSecrets hides those under secret-looking keys from
// readers that may not run adapters (docs/DECISIONS.md "The adapter host").
// Thread-safety: every method is safe from any thread; changes to one store (read, modify,
// write) are serialized by a process-wide mutex.
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "auth/accounts.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::api {

// Accounts in this group (besides admins) may report adapter health and read adapter secrets.
inline constexpr const char* kAdapterHostsGroup = "adapter-hosts";

struct StoredAdapter {
  boost::json::object data;  // the IAP service config
  bool running = true;
  int64_t generation = 1;
};

class AdapterStore {
 public:
  explicit AdapterStore(store::DocStore* docs) : docs_(docs) {}

  // Every instance, by name.
  base::Result<std::vector<StoredAdapter>> List();
  base::Result<StoredAdapter> Get(const std::string& name);
  // A new instance, started (RUNNING). AlreadyExists for a taken name.
  base::Result<StoredAdapter> Create(const boost::json::value& doc);
  // Creates, or replaces an instance's config keeping its state.
  base::Result<StoredAdapter> Import(const boost::json::value& doc);
  // Replaces the config of `name` (the document's name, when given, must be `name`).
  base::Result<StoredAdapter> Replace(const std::string& name, const boost::json::value& doc);
  // Replaces what the adapter's constructor receives (data.properties.properties).
  base::Result<StoredAdapter> SetProperties(const std::string& name,
                                            const boost::json::value& properties);
  // level: spam|trace|debug|info|warn|error; transport: "" (file and console), file, console.
  base::Result<StoredAdapter> SetLogLevel(const std::string& name, const std::string& level,
                                          const std::string& transport);
  // Start, stop, or restart (a start that also bumps the generation when already running).
  enum class Action { kStart, kStop, kRestart };
  base::Result<StoredAdapter> Control(const std::string& name, Action action);
  base::Status Delete(const std::string& name);

  // Checks a service config and returns it in the shape above. Also accepts the brief shape
  // {name, type: <export>, properties: <constructor properties>} and ipctl's wrapper
  // {properties: <config>}. InvalidArgument names the problem.
  static base::Result<boost::json::object> Normalize(const boost::json::value& doc);
  // A short tag that changes whenever any stored instance changes (GET /adapters ETag).
  static std::string Etag(const std::vector<StoredAdapter>& all);

 private:
  base::Result<StoredAdapter> Put(const std::string& name, StoredAdapter a);
  store::DocStore* docs_;
};

// A copy of `v` with the string and number values under secret-looking keys (password, passwd,
// secret, token, api_key, private_key, *_password, *_secret, *_token ...) replaced by "****".
boost::json::value MaskSecrets(const boost::json::value& v);

// The apps (package exports) of the stored RUNNING instances and of the instances adapter hosts
// report now (hosts with a --config file). Defined in adapter_routes.cc (the reports live there).
std::set<std::string> ServedAdapterApps(store::DocStore* docs);

// Admins, and accounts in the group kAdapterHostsGroup.
bool MayRunAdapters(auth::Accounts& accounts, const auth::Account* a);

}  // namespace opsflow::api
