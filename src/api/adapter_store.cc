#include "api/adapter_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <mutex>
#include <regex>

#include "json/parse.h"

namespace opsflow::api {
namespace {

namespace bj = boost::json;

constexpr const char* kKind = "adapter";
constexpr size_t kMaxName = 200;
constexpr const char* kLevels[] = {"spam", "trace", "debug", "info", "warn", "error"};

std::mutex& WriteMutex() {
  static std::mutex* mu = new std::mutex();  // process-wide; never destroyed
  return *mu;
}

base::Status CheckName(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) {
    return base::InvalidArgument("'name' (the instance id) must be 1 to 200 characters");
  }
  for (char ch : name) {
    auto u = static_cast<unsigned char>(ch);
    if (u < 0x20 || u == 0x7f || ch == '/' || ch == '?' || ch == '#' || ch == '%') {
      return base::InvalidArgument("'name' must not contain control characters, '/', '?', '#' or '%'");
    }
  }
  return base::Status();
}

const bj::object* ObjectAt(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v ? v->if_object() : nullptr;
}

std::string StringAt(const bj::object& o, std::string_view key) {
  const bj::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

base::Result<StoredAdapter> Decode(const std::string& json) {
  auto v = json::Parse(json, {});
  if (!v.ok() || !v->is_object()) return base::Internal("stored adapter document is malformed");
  const bj::object& o = v->get_object();
  StoredAdapter a;
  if (const bj::object* d = ObjectAt(o, "data")) a.data = *d;
  a.running = StringAt(o, "state") != "STOPPED";
  if (const bj::value* g = o.if_contains("generation"); g && g->is_int64()) {
    a.generation = g->get_int64();
  }
  return a;
}

std::string Encode(const StoredAdapter& a) {
  return bj::serialize(bj::object{{"data", a.data},
                                  {"state", a.running ? "RUNNING" : "STOPPED"},
                                  {"generation", a.generation}});
}

bool IsSecretKey(std::string_view key) {
  static const std::regex kSecret(
      "^(password|passwd|passphrase|secret|token|api_?key|private_?key|client_secret|"
      "access_?key|secret_?key|.*_password|.*_passwd|.*_secret|.*_token|.*_api_?key)$",
      std::regex::icase | std::regex::optimize);
  return std::regex_match(key.begin(), key.end(), kSecret);
}

}  // namespace

bj::value MaskSecrets(const bj::value& v) {
  if (const bj::object* o = v.if_object()) {
    bj::object out;
    for (const auto& kv : *o) {
      const bj::value& x = kv.value();
      if (IsSecretKey(kv.key()) && (x.is_string() || x.is_number())) {
        out[kv.key()] = "****";
      } else {
        out[kv.key()] = MaskSecrets(x);
      }
    }
    return out;
  }
  if (const bj::array* a = v.if_array()) {
    bj::array out;
    for (const bj::value& x : *a) out.push_back(MaskSecrets(x));
    return out;
  }
  return v;
}

bool MayRunAdapters(auth::Accounts& accounts, const auth::Account* a) {
  if (!a) return false;
  if (a->admin) return true;
  auto g = accounts.groups().FindByName(kAdapterHostsGroup);
  return g.ok() && std::find(a->groups.begin(), a->groups.end(), g->id) != a->groups.end();
}

base::Result<bj::object> AdapterStore::Normalize(const bj::value& in) {
  const bj::object* src = in.if_object();
  if (!src) return base::InvalidArgument("an adapter service config must be a JSON object");
  // ipctl's wrapper: {"properties": <config>}.
  if (!src->contains("name")) {
    const bj::object* inner = ObjectAt(*src, "properties");
    if (inner && inner->contains("name")) src = inner;
  }
  const bj::value* name_v = src->if_contains("name");
  if (!name_v || !name_v->is_string()) {
    return base::InvalidArgument("'name' (the instance id, a string) is required");
  }
  std::string name(name_v->get_string());
  OPSFLOW_RETURN_IF_ERROR(CheckName(name));
  const bj::value* props_v = src->if_contains("properties");
  if (props_v && !props_v->is_object()) {
    return base::InvalidArgument("'properties' must be an object");
  }
  bj::object props = props_v ? props_v->get_object() : bj::object();
  std::string top_type = StringAt(*src, "type");
  // IAP's shape has {id, type, properties} in `properties`; the short shape has the export as
  // `type` and the constructor's properties as `properties`.
  bool iap = props.if_contains("properties") || (props.contains("type") && props.contains("id")) ||
             top_type == "Adapter" || top_type.empty();
  bj::object service;
  if (iap) {
    service = props;
  } else {
    service = bj::object{{"type", top_type}, {"properties", props}};
  }
  std::string export_name = StringAt(service, "type");
  if (export_name.empty() || export_name.size() > kMaxName) {
    return base::InvalidArgument(
        "adapter '" + name +
        "': 'properties.type' (the package's export, as the tasks' app) is required");
  }
  if (const bj::value* id = service.if_contains("id");
      id && (!id->is_string() || id->get_string() != name)) {
    return base::InvalidArgument("adapter '" + name + "': 'properties.id' must equal 'name'");
  }
  service["id"] = name;
  const bj::value* inner = service.if_contains("properties");
  if (inner && !inner->is_object()) {
    return base::InvalidArgument("adapter '" + name + "': 'properties.properties' must be an object");
  }
  if (!inner) service["properties"] = bj::object();
  for (const char* list : {"brokers", "groups"}) {
    const bj::value* l = service.if_contains(list);
    if (l && !l->is_array()) {
      return base::InvalidArgument("adapter '" + name + "': 'properties." + list +
                                   "' must be an array");
    }
    if (!l) service[list] = bj::array();
  }
  bj::object out;
  out["name"] = name;
  out["type"] = "Adapter";
  for (const char* key : {"model", "dir"}) {
    if (const bj::value* v = src->if_contains(key)) {
      if (!v->is_string()) return base::InvalidArgument("adapter '" + name + "': '" + key + "' must be a string");
      out[key] = *v;
    }
  }
  if (!out.contains("model") && !out.contains("dir")) {
    return base::InvalidArgument("adapter '" + name +
                                 "': 'model' (the npm package name) or 'dir' (its folder) is "
                                 "required so that a host can find the package");
  }
  out["properties"] = std::move(service);
  // Values are not encrypted here (see MaskSecrets); an IAP export's encrypted values would not
  // open, so isEncrypted is always false.
  out["isEncrypted"] = false;
  const bj::value* logger = src->if_contains("loggerProps");
  if (logger && !logger->is_object()) {
    return base::InvalidArgument("adapter '" + name + "': 'loggerProps' must be an object");
  }
  out["loggerProps"] = logger ? *logger : bj::value(bj::object{{"log_level", "info"}});
  out["virtual"] = false;
  return out;
}

std::string AdapterStore::Etag(const std::vector<StoredAdapter>& all) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a 64
  for (const StoredAdapter& a : all) {
    for (char ch : Encode(a)) {
      h ^= static_cast<unsigned char>(ch);
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

base::Result<std::vector<StoredAdapter>> AdapterStore::List() {
  OPSFLOW_ASSIGN_OR_RETURN(auto docs, docs_->List(kKind));
  std::sort(docs.begin(), docs.end(),
            [](const store::StoredDoc& a, const store::StoredDoc& b) { return a.key < b.key; });
  std::vector<StoredAdapter> out;
  for (const auto& d : docs) {
    auto a = Decode(d.doc_json);
    if (a.ok()) out.push_back(std::move(*a));
  }
  return out;
}

base::Result<StoredAdapter> AdapterStore::Get(const std::string& name) {
  auto json = docs_->Get(kKind, name);
  if (!json.ok()) {
    if (json.status().code() == base::Code::kNotFound) {
      return base::NotFound("Adapter '" + name + "' not found");
    }
    return json.status();
  }
  return Decode(*json);
}

base::Result<StoredAdapter> AdapterStore::Put(const std::string& name, StoredAdapter a) {
  OPSFLOW_RETURN_IF_ERROR(docs_->Put(kKind, name, Encode(a)));
  return a;
}

base::Result<StoredAdapter> AdapterStore::Create(const bj::value& doc) {
  OPSFLOW_ASSIGN_OR_RETURN(bj::object data, Normalize(doc));
  std::string name(data["name"].get_string());
  std::lock_guard<std::mutex> lock(WriteMutex());
  if (docs_->Get(kKind, name).ok()) {
    return base::AlreadyExists("Adapter '" + name + "' already exists");
  }
  return Put(name, StoredAdapter{std::move(data), true, 1});
}

base::Result<StoredAdapter> AdapterStore::Import(const bj::value& doc) {
  OPSFLOW_ASSIGN_OR_RETURN(bj::object data, Normalize(doc));
  std::string name(data["name"].get_string());
  std::lock_guard<std::mutex> lock(WriteMutex());
  auto old = Get(name);
  if (!old.ok() && old.status().code() != base::Code::kNotFound) return old.status();
  StoredAdapter a = old.ok() ? std::move(*old) : StoredAdapter{};
  a.data = std::move(data);
  return Put(name, std::move(a));
}

base::Result<StoredAdapter> AdapterStore::Replace(const std::string& name, const bj::value& doc) {
  bj::value with_name = doc;
  if (bj::object* o = with_name.if_object()) {
    bool wrapped = !o->contains("name") && ObjectAt(*o, "properties") &&
                   ObjectAt(*o, "properties")->contains("name");
    if (!wrapped && !o->contains("name")) (*o)["name"] = name;
  }
  OPSFLOW_ASSIGN_OR_RETURN(bj::object data, Normalize(with_name));
  if (data["name"].get_string() != name) {
    return base::InvalidArgument("the body's name '" + std::string(data["name"].get_string()) +
                                 "' is not the path's '" + name + "'; an instance is not renamed");
  }
  std::lock_guard<std::mutex> lock(WriteMutex());
  OPSFLOW_ASSIGN_OR_RETURN(StoredAdapter a, Get(name));
  a.data = std::move(data);
  return Put(name, std::move(a));
}

base::Result<StoredAdapter> AdapterStore::SetProperties(const std::string& name,
                                                        const bj::value& properties) {
  if (!properties.is_object()) return base::InvalidArgument("'properties' must be an object");
  std::lock_guard<std::mutex> lock(WriteMutex());
  OPSFLOW_ASSIGN_OR_RETURN(StoredAdapter a, Get(name));
  bj::value& service = a.data["properties"];
  if (!service.is_object()) service = bj::object();
  service.get_object()["properties"] = properties;
  return Put(name, std::move(a));
}

base::Result<StoredAdapter> AdapterStore::SetLogLevel(const std::string& name,
                                                      const std::string& level,
                                                      const std::string& transport) {
  if (std::find(std::begin(kLevels), std::end(kLevels), level) == std::end(kLevels)) {
    return base::InvalidArgument("'level' must be one of spam, trace, debug, info, warn, error");
  }
  if (!transport.empty() && transport != "file" && transport != "console") {
    return base::InvalidArgument("'transport' must be 'file' or 'console'");
  }
  std::lock_guard<std::mutex> lock(WriteMutex());
  OPSFLOW_ASSIGN_OR_RETURN(StoredAdapter a, Get(name));
  bj::value& logger = a.data["loggerProps"];
  if (!logger.is_object()) logger = bj::object();
  if (transport != "console") logger.get_object()["log_level"] = level;
  if (transport != "file") logger.get_object()["console_level"] = level;
  return Put(name, std::move(a));
}

base::Result<StoredAdapter> AdapterStore::Control(const std::string& name, Action action) {
  std::lock_guard<std::mutex> lock(WriteMutex());
  OPSFLOW_ASSIGN_OR_RETURN(StoredAdapter a, Get(name));
  switch (action) {
    case Action::kStop:
      a.running = false;
      break;
    case Action::kStart:
      if (a.running) return a;  // already running: nothing changes
      a.running = true;
      ++a.generation;
      break;
    case Action::kRestart:
      a.running = true;
      ++a.generation;
      break;
  }
  return Put(name, std::move(a));
}

base::Status AdapterStore::Delete(const std::string& name) {
  std::lock_guard<std::mutex> lock(WriteMutex());
  OPSFLOW_RETURN_IF_ERROR(Get(name).status());
  return docs_->Delete(kKind, name);
}

}  // namespace opsflow::api
