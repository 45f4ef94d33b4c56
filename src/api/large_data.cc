#include "api/large_data.h"

#include <boost/json.hpp>

#include "base/ids.h"

namespace opsflow::api {
namespace bj = boost::json;

namespace {

constexpr char kHex[] = "0123456789abcdef";

int HexDigit(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  return -1;
}

std::string Hex(const std::string& name) {
  std::string out;
  out.reserve(name.size() * 2);
  for (unsigned char ch : name) {
    out += kHex[ch >> 4];
    out += kHex[ch & 15];
  }
  return out;
}

// The name whose hex is `hex` (even length, lower-case digits); nullopt otherwise.
std::optional<std::string> Unhex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string name;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexDigit(hex[i]), lo = HexDigit(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    name += static_cast<char>(hi * 16 + lo);
  }
  return name;
}

// The length of the compact JSON text of `v`, serialized in pieces (never whole in memory).
size_t JsonSize(const bj::value& v) {
  bj::serializer sr;
  sr.reset(&v);
  char buf[16 * 1024];
  size_t n = 0;
  while (!sr.done()) n += sr.read(buf, sizeof buf).size();
  return n;
}

// Replaces each member of `values` larger than `threshold` by its marker, id from `id_of`.
template <typename IdOf>
void MarkMembers(bj::object& values, size_t threshold, IdOf id_of) {
  for (auto& [name, value] : values) {
    // A scalar (number, bool, null) is never a megabyte; only these can be.
    if (!value.is_object() && !value.is_array() && !value.is_string()) continue;
    size_t size = JsonSize(value);
    if (size <= threshold) continue;
    value =
        bj::object{{"$largeData", id_of(std::string(name))}, {"size", static_cast<int64_t>(size)}};
  }
}

}  // namespace

std::string LargeDataId(const std::string& job_id, const std::string& name) {
  return job_id + "-" + Hex(name);
}

std::string TaskLargeDataId(const std::string& iteration_id, bool outgoing,
                            const std::string& name) {
  return iteration_id + (outgoing ? "-o-" : "-i-") + Hex(name);
}

std::optional<LargeDataRef> ParseLargeDataId(const std::string& id) {
  LargeDataRef ref;
  std::string_view rest;
  if (id.size() >= 25 && id[24] == '-' && base::IsObjectId(id.substr(0, 24))) {
    ref.kind = LargeDataRef::Kind::kJobVariable;
    ref.owner = id.substr(0, 24);
    rest = std::string_view(id).substr(25);
  } else if (id.size() >= 39 && id[36] == '-' && id[38] == '-' &&
             (id[37] == 'o' || id[37] == 'i') && base::IsUuid(id.substr(0, 36))) {
    ref.kind =
        id[37] == 'o' ? LargeDataRef::Kind::kTaskOutgoing : LargeDataRef::Kind::kTaskIncoming;
    ref.owner = id.substr(0, 36);
    rest = std::string_view(id).substr(39);
  } else {
    return std::nullopt;
  }
  auto name = Unhex(rest);
  if (!name) return std::nullopt;
  ref.name = std::move(*name);
  return ref;
}

void MarkLargeData(bj::value& job, size_t threshold) {
  if (!job.is_object()) return;
  bj::object& o = job.get_object();
  const bj::value* id = o.if_contains("_id");
  bj::value* vars = o.if_contains("variables");
  if (!id || !id->is_string() || !vars || !vars->is_object()) return;
  std::string job_id(id->get_string());
  MarkMembers(vars->get_object(), threshold,
              [&](const std::string& name) { return LargeDataId(job_id, name); });
}

void MarkTaskLargeData(bj::value& task, size_t threshold) {
  if (!task.is_object()) return;
  bj::object& o = task.get_object();
  const bj::value* id = o.if_contains("_id");
  bj::value* vars = o.if_contains("variables");
  if (!id || !id->is_string() || !vars || !vars->is_object()) return;
  std::string iteration_id(id->get_string());
  for (bool outgoing : {false, true}) {
    bj::value* values = vars->get_object().if_contains(outgoing ? "outgoing" : "incoming");
    if (!values || !values->is_object()) continue;
    MarkMembers(values->get_object(), threshold, [&](const std::string& name) {
      return TaskLargeDataId(iteration_id, outgoing, name);
    });
  }
}

}  // namespace opsflow::api
