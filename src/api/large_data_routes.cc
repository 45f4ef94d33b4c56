// GET /operations-manager/large-data/:id (IAP-REFERENCE §11, OperationsManager exportLargeData):
// the value of a job variable too large to inline in the job document (large_data.h). The
// caller must see the job (else 404 as for an unknown job); the answer is the value, bare.
#include <boost/json.hpp>

#include "api/large_data.h"
#include "api/state.h"
#include "auth/access.h"
#include "base/ids.h"

namespace opsflow::api {

namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

}  // namespace

std::string LargeDataId(const std::string& job_id, const std::string& name) {
  std::string out = job_id + "-";
  for (unsigned char ch : name) {
    out += kHex[ch >> 4];
    out += kHex[ch & 15];
  }
  return out;
}

std::optional<std::pair<std::string, std::string>> ParseLargeDataId(const std::string& id) {
  if (id.size() < 27 || id[24] != '-' || (id.size() - 25) % 2 != 0) return std::nullopt;
  std::string job = id.substr(0, 24);
  if (!base::IsObjectId(job)) return std::nullopt;
  std::string name;
  for (size_t i = 25; i < id.size(); i += 2) {
    int hi = HexDigit(id[i]), lo = HexDigit(id[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    name += static_cast<char>(hi * 16 + lo);
  }
  return std::make_pair(std::move(job), std::move(name));
}

void MarkLargeData(bj::value& job) {
  if (!job.is_object()) return;
  bj::object& o = job.get_object();
  const bj::value* id = o.if_contains("_id");
  bj::value* vars = o.if_contains("variables");
  if (!id || !id->is_string() || !vars || !vars->is_object()) return;
  std::string job_id(id->get_string());
  for (auto& [name, value] : vars->get_object()) {
    if (!value.is_object() && !value.is_array() && !value.is_string()) continue;
    size_t size = bj::serialize(value).size();
    if (size <= kLargeDataBytes) continue;
    value = bj::object{{"$largeData", LargeDataId(job_id, std::string(name))},
                       {"size", static_cast<int64_t>(size)}};
  }
}

namespace {

void ExportLargeData(Api::State& s, Call& c) {
  auto parsed = ParseLargeDataId(c.params[0]);
  if (!parsed) {
    return ReplyError(c, 400,
                      "'" + c.params[0] + "' is not a large-data id (<job _id>-<hex name>)");
  }
  const auto& [job_id, name] = *parsed;
  auto doc = s.deps.runtime->GetJobDocument(job_id);
  if (!doc.ok()) return ReplyError(c, doc.status());
  if (!auth::CanSee(*c.account, auth::GroupsOfDoc(*doc))) return ReplyError(c, JobNotFound(job_id));
  const bj::value* vars = doc->if_contains("variables");
  const bj::value* value =
      vars && vars->is_object() ? vars->get_object().if_contains(name) : nullptr;
  if (!value) {
    return ReplyError(c, 404, "large data '" + c.params[0] + "' not found (job " + job_id +
                                  " has no variable of that name)");
  }
  Reply(c, 200, *value);
}

}  // namespace

std::span<const Route> LargeDataRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/large-data/:id", ExportLargeData, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
