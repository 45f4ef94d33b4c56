#include "json/schema.h"

#include <re2/re2.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "json/compare.h"
#include "json/pointer.h"

namespace opsflow::json {
namespace bj = boost::json;

namespace schema_internal {

enum TypeBit : uint8_t {
  kNull = 1,
  kBool = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
};

enum class Format { kNone, kDateTime, kDate, kTime, kEmail, kIpv4, kIpv6, kUri, kUuid };

struct PatternProperty {
  std::unique_ptr<RE2> re;
  std::string source;
  const struct Node* node = nullptr;
};

// One compiled (sub)schema. Pointers refer to nodes owned by the same Tree.
struct Node {
  std::string path;  // "#/properties/a", "common#/definitions/X"
  int boolean = -1;  // 1: `true` schema, 0: `false` schema, -1: an object schema
  bool is_ref = false;
  std::string ref_text;
  const Node* ref = nullptr;

  uint8_t types = 0;
  std::string type_text;  // "string" or "string,null"
  std::optional<bj::array> enum_values;
  std::optional<bj::value> const_value;

  bool object_keywords = false;
  std::vector<std::pair<std::string, const Node*>> properties;  // sorted by name
  std::vector<PatternProperty> pattern_properties;
  const Node* additional_properties = nullptr;
  const Node* property_names = nullptr;
  std::vector<std::string> required;
  std::optional<uint64_t> min_properties, max_properties;
  std::vector<std::pair<std::string, std::vector<std::string>>> dep_required;
  std::vector<std::pair<std::string, const Node*>> dep_schemas;

  bool array_keywords = false;
  const Node* items = nullptr;
  bool has_tuple = false;
  std::vector<const Node*> tuple;
  const Node* additional_items = nullptr;
  const Node* contains = nullptr;
  std::optional<uint64_t> min_items, max_items;
  bool unique_items = false;

  bool string_keywords = false;
  std::optional<uint64_t> min_length, max_length;
  std::unique_ptr<RE2> pattern;
  std::string pattern_source;
  Format format = Format::kNone;
  std::string format_name;

  bool number_keywords = false;
  std::optional<bj::value> minimum, maximum, exclusive_minimum, exclusive_maximum, multiple_of;
  bool minimum_exclusive = false, maximum_exclusive = false;  // draft-4 boolean forms

  std::vector<const Node*> all_of, any_of, one_of;
  const Node* not_schema = nullptr;
  const Node* if_schema = nullptr;
  const Node* then_schema = nullptr;
  const Node* else_schema = nullptr;
};

struct Tree {
  std::vector<std::unique_ptr<Node>> nodes;
  const Node* root = nullptr;
  size_t max_depth = 64;
  size_t max_steps = 1000000;
};

}  // namespace schema_internal

namespace {
using schema_internal::Format;
using schema_internal::Node;
using schema_internal::Tree;
namespace si = schema_internal;

// ---------------------------------------------------------------------------------------------
// Small JSON helpers.

// A hash consistent with DeepEqual (numbers hash by double value); shallow below depth 4.
size_t JsonHash(const bj::value& v, int depth = 0) {
  auto mix = [](size_t h, size_t x) {
    return h ^ (x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
  };
  if (IsNumber(v)) {
    double d = AsDouble(v);
    return std::hash<double>()(d == 0 ? 0.0 : d);
  }
  size_t h = static_cast<size_t>(v.kind());
  switch (v.kind()) {
    case bj::kind::bool_:
      return mix(h, v.get_bool());
    case bj::kind::string:
      return mix(h, std::hash<std::string_view>()(std::string_view(v.get_string())));
    case bj::kind::array:
      h = mix(h, v.get_array().size());
      if (depth < 4) {
        for (const auto& e : v.get_array()) h = mix(h, JsonHash(e, depth + 1));
      }
      return h;
    case bj::kind::object: {
      h = mix(h, v.get_object().size());
      if (depth < 4) {
        size_t acc = 0;  // order-independent
        for (const auto& kv : v.get_object()) {
          acc += mix(std::hash<std::string_view>()(std::string_view(kv.key())),
                     JsonHash(kv.value(), depth + 1));
        }
        h = mix(h, acc);
      }
      return h;
    }
    default:
      return h;
  }
}

// Nesting depth of `v`, stopping once it exceeds `limit`.
size_t DepthOf(const bj::value& v, size_t limit, size_t depth = 0) {
  if (depth > limit) return depth;
  size_t best = depth;
  if (const auto* a = v.if_array()) {
    for (const auto& e : *a) best = std::max(best, DepthOf(e, limit, depth + 1));
  } else if (const auto* o = v.if_object()) {
    for (const auto& kv : *o) best = std::max(best, DepthOf(kv.value(), limit, depth + 1));
  }
  return best;
}

std::string FormatNumber(const bj::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  double d = v.get_double();
  if (std::trunc(d) == d && std::fabs(d) < 1e15) return std::to_string(static_cast<int64_t>(d));
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  return std::string(buf, r.ptr);
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Formats: cheap hand checks.

bool Digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool IsDate(std::string_view s) {
  if (s.size() != 10 || !Digits(s, 0, 4) || s[4] != '-' || !Digits(s, 5, 2) || s[7] != '-' ||
      !Digits(s, 8, 2)) {
    return false;
  }
  int y = Num(s, 0, 4), m = Num(s, 5, 2), d = Num(s, 8, 2);
  static const int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

// HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
bool IsTime(std::string_view s) {
  if (s.size() < 9 || !Digits(s, 0, 2) || s[2] != ':' || !Digits(s, 3, 2) || s[5] != ':' ||
      !Digits(s, 6, 2)) {
    return false;
  }
  if (Num(s, 0, 2) > 23 || Num(s, 3, 2) > 59 || Num(s, 6, 2) > 60) return false;
  size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  std::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2) &&
         zone[3] == ':' && Digits(zone, 4, 2) && Num(zone, 1, 2) <= 23 && Num(zone, 4, 2) <= 59;
}

bool IsDateTime(std::string_view s) {
  if (s.size() < 20) return false;
  char t = s[10];
  return IsDate(s.substr(0, 10)) && (t == 'T' || t == 't' || t == ' ') && IsTime(s.substr(11));
}

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool IsEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == 0 || at == std::string_view::npos || s.size() > 320) return false;
  static constexpr std::string_view kLocal = ".!#$%&'*+/=?^_`{|}~-";
  for (char c : s.substr(0, at)) {
    if (!IsAlnum(c) && kLocal.find(c) == std::string_view::npos) return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.empty()) return false;
  size_t start = 0;
  while (true) {  // labels: alnum at both ends, '-' inside, at most 63 chars
    size_t dot = domain.find('.', start);
    std::string_view label =
        domain.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty() || label.size() > 63 || !IsAlnum(label.front()) || !IsAlnum(label.back())) {
      return false;
    }
    for (char c : label) {
      if (!IsAlnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

bool IsIpv4(std::string_view s) {
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 4) ++i;
    size_t n = i - start;
    if (n == 0 || n > 3 || (n > 1 && s[start] == '0') || Num(s, start, n) > 255) return false;
    ++parts;
    if (i == s.size()) return parts == 4;
    if (s[i] != '.' || parts == 4) return false;
    ++i;
  }
}

bool IsIpv6(std::string_view s) {
  if (s.size() < 2 || s.size() > 45) return false;
  int groups = 0;
  bool compressed = false;
  size_t i = 0;
  if (s.substr(0, 2) == "::") {
    compressed = true;
    i = 2;
    if (i == s.size()) return true;
  } else if (s[0] == ':') {
    return false;
  }
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && IsHex(s[i]) && i - start < 5) ++i;
    if (i < s.size() && s[i] == '.') {  // trailing dotted IPv4 counts as two groups
      if (!IsIpv4(s.substr(start))) return false;
      groups += 2;
      break;
    }
    size_t n = i - start;
    if (n == 0 || n > 4) return false;
    ++groups;
    if (i == s.size()) break;
    if (s[i] != ':') return false;
    ++i;
    if (i < s.size() && s[i] == ':') {
      if (compressed) return false;
      compressed = true;
      ++i;
      if (i == s.size()) break;
    } else if (i == s.size()) {
      return false;  // trailing single ':'
    }
  }
  return compressed ? groups < 8 : groups == 8;
}

bool IsUri(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 == s.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (char c : s.substr(0, colon)) {
    if (!IsAlnum(c) && c != '+' && c != '-' && c != '.') return false;
  }
  for (size_t i = colon + 1; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}') {
      return false;
    }
    if (c == '%' && (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))) return false;
  }
  return true;
}

bool IsUuid(std::string_view s) {
  if (s.size() == 45 && (s.substr(0, 9) == "urn:uuid:" || s.substr(0, 9) == "URN:UUID:")) {
    s.remove_prefix(9);
  }
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHex(s[i])) return false;
  }
  return true;
}

bool CheckFormat(Format f, std::string_view s) {
  switch (f) {
    case Format::kDateTime:
      return IsDateTime(s);
    case Format::kDate:
      return IsDate(s);
    case Format::kTime:
      return IsTime(s);
    case Format::kEmail:
      return IsEmail(s);
    case Format::kIpv4:
      return IsIpv4(s);
    case Format::kIpv6:
      return IsIpv6(s);
    case Format::kUri:
      return IsUri(s);
    case Format::kUuid:
      return IsUuid(s);
    case Format::kNone:
      return true;
  }
  return true;
}

Format FormatByName(std::string_view n) {
  if (n == "date-time") return Format::kDateTime;
  if (n == "date") return Format::kDate;
  if (n == "time") return Format::kTime;
  if (n == "email") return Format::kEmail;
  if (n == "ipv4") return Format::kIpv4;
  if (n == "ipv6") return Format::kIpv6;
  if (n == "uri") return Format::kUri;
  if (n == "uuid") return Format::kUuid;
  return Format::kNone;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && IsHex(s[i + 1]) && IsHex(s[i + 2])) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Compiler: schema document -> Tree.

class Compiler {
 public:
  Compiler(const bj::value& root, const SchemaOptions& options) : options_(options) {
    docs_[""] = &root;
    for (const auto& [name, doc] : options.named) {
      docs_[name] = &doc;
      if (const auto* o = doc.if_object()) {  // a named schema may also be found by its $id
        for (const char* key : {"$id", "id"}) {
          auto it = o->find(key);
          if (it == o->end() || !it->value().is_string()) continue;
          std::string id(it->value().get_string());
          if (!id.empty() && id.back() == '#') id.pop_back();
          if (!id.empty()) docs_.emplace(id, &doc);
        }
      }
    }
    tree_ = std::make_unique<Tree>();
    tree_->max_depth = options.max_depth;
    tree_->max_steps = options.max_steps;
  }

  base::Result<std::unique_ptr<Tree>> Run() {
    Node* root = nullptr;
    OPSFLOW_RETURN_IF_ERROR(CompileAt(*docs_[""], "", "", 0, &root));
    OPSFLOW_RETURN_IF_ERROR(LinkRefs());
    OPSFLOW_RETURN_IF_ERROR(CheckRefCycles());
    tree_->root = root;
    return std::move(tree_);
  }

 private:
  base::Status Error(const std::string& path, const std::string& what) {
    return base::InvalidArgument("invalid schema at " + (path.empty() ? "#" : path) + ": " + what);
  }

  base::Status CompileAt(const bj::value& v, const std::string& doc, const std::string& ptr,
                         size_t depth, Node** out) {
    std::string key = doc + "#" + ptr;
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      *out = it->second;
      return base::Status::Ok();
    }
    if (depth > options_.max_depth) {
      return Error(key, "nested deeper than " + std::to_string(options_.max_depth) + " levels");
    }
    tree_->nodes.push_back(std::make_unique<Node>());
    Node* n = tree_->nodes.back().get();
    n->path = key;
    by_key_[key] = n;
    *out = n;
    if (v.is_bool()) {
      n->boolean = v.get_bool() ? 1 : 0;
      return base::Status::Ok();
    }
    const auto* o = v.if_object();
    if (o == nullptr) return Error(key, "a schema must be an object or a boolean");
    if (auto it = o->find("$ref"); it != o->end()) {
      if (!it->value().is_string()) return Error(key, "$ref must be a string");
      n->is_ref = true;
      n->ref_text = std::string(it->value().get_string());
      pending_.push_back({n, doc});
      return base::Status::Ok();  // siblings of $ref are ignored (drafts 4-7)
    }
    Ctx c{n, o, doc, ptr, depth};
    OPSFLOW_RETURN_IF_ERROR(CompileGeneric(c));
    OPSFLOW_RETURN_IF_ERROR(CompileObject(c));
    OPSFLOW_RETURN_IF_ERROR(CompileArray(c));
    OPSFLOW_RETURN_IF_ERROR(CompileString(c));
    OPSFLOW_RETURN_IF_ERROR(CompileNumber(c));
    return base::Status::Ok();
  }

  struct Ctx {
    Node* n;
    const bj::object* o;
    const std::string& doc;
    const std::string& ptr;
    size_t depth;
    const bj::value* Get(std::string_view k) const {
      auto it = o->find(k);
      return it == o->end() ? nullptr : &it->value();
    }
  };

  // `rel` is the already escaped pointer from c's node to the subschema ("properties/a~1b").
  base::Status Sub(const Ctx& c, const bj::value& v, std::string_view rel, const Node** out) {
    Node* n = nullptr;
    OPSFLOW_RETURN_IF_ERROR(CompileAt(v, c.doc, c.ptr + "/" + std::string(rel), c.depth + 1, &n));
    *out = n;
    return base::Status::Ok();
  }

  base::Status SubList(const Ctx& c, std::string_view kw, std::vector<const Node*>* out,
                       bool allow_empty = false) {
    const bj::value* v = c.Get(kw);
    if (v == nullptr) return base::Status::Ok();
    if (!v->is_array() || (!allow_empty && v->get_array().empty())) {
      return Error(c.n->path, std::string(kw) + " must be a non-empty array of schemas");
    }
    std::string base = std::string(kw) + "/";
    for (size_t i = 0; i < v->get_array().size(); ++i) {
      const Node* child = nullptr;
      OPSFLOW_RETURN_IF_ERROR(Sub(c, v->get_array()[i], base + std::to_string(i), &child));
      out->push_back(child);
    }
    return base::Status::Ok();
  }

  base::Status Count(const Ctx& c, std::string_view kw, std::optional<uint64_t>* out) {
    const bj::value* v = c.Get(kw);
    if (v == nullptr) return base::Status::Ok();
    if (v->is_uint64()) {
      *out = v->get_uint64();
    } else if (v->is_int64() && v->get_int64() >= 0) {
      *out = static_cast<uint64_t>(v->get_int64());
    } else if (v->is_double() && v->get_double() >= 0 && v->get_double() < 1.8e19 &&
               std::trunc(v->get_double()) == v->get_double()) {
      *out = static_cast<uint64_t>(v->get_double());
    } else {
      return Error(c.n->path, std::string(kw) + " must be a non-negative integer");
    }
    return base::Status::Ok();
  }

  base::Status Regex(const Ctx& c, std::string_view kw, std::string_view src,
                     std::unique_ptr<RE2>* out) {
    if (src.size() > options_.max_pattern_length) {
      return Error(c.n->path, std::string(kw) + " longer than " +
                                  std::to_string(options_.max_pattern_length) + " characters");
    }
    RE2::Options ro;
    ro.set_log_errors(false);
    ro.set_max_mem(4 << 20);
    auto re = std::make_unique<RE2>(re2::StringPiece(src.data(), src.size()), ro);
    if (!re->ok()) {
      return Error(c.n->path, std::string(kw) + " \"" + std::string(src) +
                                  "\" is not a supported regular expression: " + re->error());
    }
    *out = std::move(re);
    return base::Status::Ok();
  }

  base::Status CompileGeneric(const Ctx& c);
  base::Status CompileObject(const Ctx& c);
  base::Status CompileArray(const Ctx& c);
  base::Status CompileString(const Ctx& c);
  base::Status CompileNumber(const Ctx& c);
  base::Status LinkRefs();
  base::Status CheckRefCycles();

  const SchemaOptions& options_;
  std::map<std::string, const bj::value*> docs_;
  std::unordered_map<std::string, Node*> by_key_;
  std::vector<std::pair<Node*, std::string>> pending_;  // $ref nodes and their document
  std::unique_ptr<Tree> tree_;
};

base::Status Compiler::CompileGeneric(const Ctx& c) {
  Node* n = c.n;
  if (const bj::value* t = c.Get("type")) {
    std::vector<const bj::value*> names;
    if (t->is_array()) {
      for (const auto& e : t->get_array()) names.push_back(&e);
    } else {
      names.push_back(t);
    }
    if (names.empty()) return Error(n->path, "type must not be an empty array");
    static const std::pair<std::string_view, uint8_t> kTypes[] = {
        {"null", si::kNull},     {"boolean", si::kBool},  {"integer", si::kInteger},
        {"number", si::kNumber}, {"string", si::kString}, {"array", si::kArray},
        {"object", si::kObject}};
    for (const bj::value* name : names) {
      uint8_t bit = 0;
      if (name->is_string()) {
        for (const auto& [tn, b] : kTypes) {
          if (name->get_string() == tn) bit = b;
        }
      }
      if (bit == 0) return Error(n->path, "type must be a JSON type name or an array of them");
      n->types |= bit;
      if (!n->type_text.empty()) n->type_text += ",";
      n->type_text += std::string(name->get_string());
    }
  }
  if (const bj::value* e = c.Get("enum")) {
    if (!e->is_array()) return Error(n->path, "enum must be an array");
    if (DepthOf(*e, options_.max_depth) > options_.max_depth) {
      return Error(n->path, "enum is nested too deeply");
    }
    n->enum_values = e->get_array();
  }
  if (const bj::value* k = c.Get("const")) {
    if (DepthOf(*k, options_.max_depth) > options_.max_depth) {
      return Error(n->path, "const is nested too deeply");
    }
    n->const_value = *k;
  }
  OPSFLOW_RETURN_IF_ERROR(SubList(c, "allOf", &n->all_of));
  OPSFLOW_RETURN_IF_ERROR(SubList(c, "anyOf", &n->any_of));
  OPSFLOW_RETURN_IF_ERROR(SubList(c, "oneOf", &n->one_of));
  if (const bj::value* v = c.Get("not")) OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "not", &n->not_schema));
  if (const bj::value* v = c.Get("if")) {
    OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "if", &n->if_schema));
    if (const bj::value* t = c.Get("then"))
      OPSFLOW_RETURN_IF_ERROR(Sub(c, *t, "then", &n->then_schema));
    if (const bj::value* e = c.Get("else"))
      OPSFLOW_RETURN_IF_ERROR(Sub(c, *e, "else", &n->else_schema));
  }
  return base::Status::Ok();
}

base::Status Compiler::CompileObject(const Ctx& c) {
  Node* n = c.n;
  if (const bj::value* p = c.Get("properties")) {
    if (!p->is_object()) return Error(n->path, "properties must be an object");
    for (const auto& kv : p->get_object()) {
      const Node* child = nullptr;
      OPSFLOW_RETURN_IF_ERROR(
          Sub(c, kv.value(), "properties/" + EscapePointerToken(kv.key()), &child));
      n->properties.emplace_back(std::string(kv.key()), child);
    }
    std::sort(n->properties.begin(), n->properties.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
  }
  if (const bj::value* p = c.Get("patternProperties")) {
    if (!p->is_object()) return Error(n->path, "patternProperties must be an object");
    for (const auto& kv : p->get_object()) {
      si::PatternProperty pp;
      pp.source = std::string(kv.key());
      OPSFLOW_RETURN_IF_ERROR(Regex(c, "patternProperties", pp.source, &pp.re));
      OPSFLOW_RETURN_IF_ERROR(
          Sub(c, kv.value(), "patternProperties/" + EscapePointerToken(kv.key()), &pp.node));
      n->pattern_properties.push_back(std::move(pp));
    }
  }
  if (const bj::value* v = c.Get("additionalProperties")) {
    OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "additionalProperties", &n->additional_properties));
  }
  if (const bj::value* v = c.Get("propertyNames")) {
    OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "propertyNames", &n->property_names));
  }
  if (const bj::value* r = c.Get("required")) {
    if (!r->is_array()) return Error(n->path, "required must be an array of strings");
    for (const auto& e : r->get_array()) {
      if (!e.is_string()) return Error(n->path, "required must be an array of strings");
      n->required.emplace_back(e.get_string());
    }
  }
  OPSFLOW_RETURN_IF_ERROR(Count(c, "minProperties", &n->min_properties));
  OPSFLOW_RETURN_IF_ERROR(Count(c, "maxProperties", &n->max_properties));
  for (const char* kw : {"dependencies", "dependentRequired", "dependentSchemas"}) {
    const bj::value* d = c.Get(kw);
    if (d == nullptr) continue;
    if (!d->is_object()) return Error(n->path, std::string(kw) + " must be an object");
    for (const auto& kv : d->get_object()) {
      if (kv.value().is_array() && std::string_view(kw) != "dependentSchemas") {
        std::vector<std::string> names;
        for (const auto& e : kv.value().get_array()) {
          if (!e.is_string()) return Error(n->path, std::string(kw) + " lists must hold strings");
          names.emplace_back(e.get_string());
        }
        n->dep_required.emplace_back(std::string(kv.key()), std::move(names));
      } else if (std::string_view(kw) != "dependentRequired") {
        const Node* child = nullptr;
        OPSFLOW_RETURN_IF_ERROR(
            Sub(c, kv.value(), std::string(kw) + "/" + EscapePointerToken(kv.key()), &child));
        n->dep_schemas.emplace_back(std::string(kv.key()), child);
      } else {
        return Error(n->path, "dependentRequired values must be arrays");
      }
    }
  }
  n->object_keywords = !n->properties.empty() || !n->pattern_properties.empty() ||
                       n->additional_properties || n->property_names || !n->required.empty() ||
                       n->min_properties || n->max_properties || !n->dep_required.empty() ||
                       !n->dep_schemas.empty();
  return base::Status::Ok();
}

base::Status Compiler::CompileArray(const Ctx& c) {
  Node* n = c.n;
  if (const bj::value* v = c.Get("items")) {
    if (v->is_array()) {
      n->has_tuple = true;
      OPSFLOW_RETURN_IF_ERROR(SubList(c, "items", &n->tuple, /*allow_empty=*/true));
    } else {
      OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "items", &n->items));
    }
  }
  if (const bj::value* v = c.Get("additionalItems"); v != nullptr && n->has_tuple) {
    OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "additionalItems", &n->additional_items));
  }
  if (const bj::value* v = c.Get("contains")) {
    OPSFLOW_RETURN_IF_ERROR(Sub(c, *v, "contains", &n->contains));
  }
  OPSFLOW_RETURN_IF_ERROR(Count(c, "minItems", &n->min_items));
  OPSFLOW_RETURN_IF_ERROR(Count(c, "maxItems", &n->max_items));
  if (const bj::value* v = c.Get("uniqueItems")) {
    if (!v->is_bool()) return Error(n->path, "uniqueItems must be a boolean");
    n->unique_items = v->get_bool();
  }
  n->array_keywords =
      n->items || n->has_tuple || n->contains || n->min_items || n->max_items || n->unique_items;
  return base::Status::Ok();
}

base::Status Compiler::CompileString(const Ctx& c) {
  Node* n = c.n;
  OPSFLOW_RETURN_IF_ERROR(Count(c, "minLength", &n->min_length));
  OPSFLOW_RETURN_IF_ERROR(Count(c, "maxLength", &n->max_length));
  if (const bj::value* v = c.Get("pattern")) {
    if (!v->is_string()) return Error(n->path, "pattern must be a string");
    n->pattern_source = std::string(v->get_string());
    OPSFLOW_RETURN_IF_ERROR(Regex(c, "pattern", n->pattern_source, &n->pattern));
  }
  if (const bj::value* v = c.Get("format")) {
    if (!v->is_string()) return Error(n->path, "format must be a string");
    n->format_name = std::string(v->get_string());
    n->format = FormatByName(n->format_name);
  }
  n->string_keywords = n->min_length || n->max_length || n->pattern || n->format != Format::kNone;
  return base::Status::Ok();
}

base::Status Compiler::CompileNumber(const Ctx& c) {
  Node* n = c.n;
  auto number = [&](const char* kw, std::optional<bj::value>* out, bool* draft4_flag,
                    const char* flag_kw) -> base::Status {
    if (const bj::value* v = c.Get(kw)) {
      if (!IsNumber(*v)) return Error(n->path, std::string(kw) + " must be a number");
      *out = *v;
    }
    if (const bj::value* f = c.Get(flag_kw); f != nullptr && f->is_bool()) {
      *draft4_flag = f->get_bool();
    }
    return base::Status::Ok();
  };
  OPSFLOW_RETURN_IF_ERROR(
      number("minimum", &n->minimum, &n->minimum_exclusive, "exclusiveMinimum"));
  OPSFLOW_RETURN_IF_ERROR(
      number("maximum", &n->maximum, &n->maximum_exclusive, "exclusiveMaximum"));
  for (auto [kw, out] : {std::pair{"exclusiveMinimum", &n->exclusive_minimum},
                         std::pair{"exclusiveMaximum", &n->exclusive_maximum}}) {
    const bj::value* v = c.Get(kw);
    if (v == nullptr || v->is_bool()) continue;
    if (!IsNumber(*v)) return Error(n->path, std::string(kw) + " must be a number or a boolean");
    *out = *v;
  }
  if (const bj::value* v = c.Get("multipleOf")) {
    if (!IsNumber(*v) || AsDouble(*v) <= 0) {
      return Error(n->path, "multipleOf must be a number greater than 0");
    }
    n->multiple_of = *v;
  }
  n->number_keywords =
      n->minimum || n->maximum || n->exclusive_minimum || n->exclusive_maximum || n->multiple_of;
  return base::Status::Ok();
}

base::Status Compiler::LinkRefs() {
  // Compiling a target may add more pending refs; process until none are left.
  for (size_t i = 0; i < pending_.size(); ++i) {
    Node* n = pending_[i].first;
    std::string doc = pending_[i].second;
    std::string_view ref = n->ref_text;
    size_t hash = ref.find('#');
    std::string base(ref.substr(0, hash));
    std::string fragment =
        hash == std::string_view::npos ? "" : PercentDecode(ref.substr(hash + 1));
    if (!base.empty()) {
      if (docs_.count(base) == 0) {
        return Error(n->path, "cannot resolve $ref \"" + n->ref_text + "\" (unknown schema \"" +
                                  base + "\")");
      }
      doc = base;
    }
    if (!fragment.empty() && fragment[0] != '/') {
      return Error(n->path, "unsupported $ref \"" + n->ref_text + "\" (only JSON pointers)");
    }
    const bj::value* target = FindPointer(*docs_[doc], fragment);
    if (target == nullptr) {
      return Error(n->path, "cannot resolve $ref \"" + n->ref_text + "\"");
    }
    Node* t = nullptr;
    OPSFLOW_RETURN_IF_ERROR(CompileAt(*target, doc, fragment, 0, &t));
    n->ref = t;
  }
  return base::Status::Ok();
}

base::Status Compiler::CheckRefCycles() {
  for (const auto& node : tree_->nodes) {
    const Node* cur = node.get();
    size_t hops = 0;
    while (cur->is_ref) {
      cur = cur->ref;
      if (++hops > tree_->nodes.size()) {
        return Error(node->path, "$ref \"" + node->ref_text + "\" refers only to itself");
      }
    }
  }
  return base::Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Validator: one Validate call.

class Validator {
 public:
  Validator(const Tree& tree, size_t max_errors) : tree_(tree), max_errors_(max_errors) {}

  std::vector<SchemaError> Run(const bj::value& instance) {
    Check(tree_.root, instance, 0);
    if (abort_ != Abort::kNone) {
      std::string msg = abort_ == Abort::kDepth ? "validation stopped: nesting deeper than " +
                                                      std::to_string(tree_.max_depth) + " levels"
                                                : "validation stopped: more than " +
                                                      std::to_string(tree_.max_steps) + " steps";
      bj::object params;
      params["limit"] = abort_ == Abort::kDepth ? tree_.max_depth : tree_.max_steps;
      // The stop error takes the last place when the list is full (at most max_errors).
      if (max_errors_ != 0 && errors_.size() >= max_errors_) errors_.resize(max_errors_ - 1);
      errors_.push_back({abort_ == Abort::kDepth ? "maxDepth" : "maxSteps", abort_instance_,
                         abort_schema_, std::move(msg), std::move(params)});
    }
    return std::move(errors_);
  }

 private:
  enum class Abort { kNone, kDepth, kSteps };
  struct Seg {
    std::string_view key;
    size_t index;
    bool is_index;
  };

  std::string InstancePath() const {
    std::string out;
    for (const Seg& s : path_) {
      out += '/';
      out += s.is_index ? std::to_string(s.index) : EscapePointerToken(s.key);
    }
    return out;
  }

  // Whether to stop checking the current node after a failure.
  bool Stop() const {
    return abort_ != Abort::kNone || speculative_ > 0 ||
           (max_errors_ != 0 && errors_.size() >= max_errors_);
  }

  void Fail(const Node* n, const char* keyword, std::string message, bj::object params = {}) {
    if (max_errors_ != 0 && errors_.size() >= max_errors_) return;
    std::string schema_path = n->path;
    if (n->boolean == -1) (schema_path += '/') += keyword;
    errors_.push_back(
        {keyword, InstancePath(), std::move(schema_path), std::move(message), std::move(params)});
  }

  void AbortWith(Abort why, const Node* n) {
    if (abort_ != Abort::kNone) return;
    abort_ = why;
    abort_instance_ = InstancePath();
    abort_schema_ = n->path;
  }

  bool Child(const Node* n, const bj::value& x, size_t depth, Seg seg) {
    path_.push_back(seg);
    bool ok = Check(n, x, depth + 1);
    path_.pop_back();
    return ok;
  }

  // Runs `n` on `x` only to learn whether it passes; its errors are dropped.
  bool Probe(const Node* n, const bj::value& x, size_t depth) {
    size_t mark = errors_.size();
    ++speculative_;
    bool ok = Check(n, x, depth + 1);
    --speculative_;
    errors_.resize(mark);
    return ok;
  }

  bool Check(const Node* n, const bj::value& x, size_t depth);
  bool CheckType(const Node* n, const bj::value& x);
  bool CheckObject(const Node* n, const bj::value& x, size_t depth);
  bool CheckArray(const Node* n, const bj::array& a, size_t depth);
  bool CheckString(const Node* n, std::string_view s);
  bool CheckNumber(const Node* n, const bj::value& x);
  bool CheckCombinators(const Node* n, const bj::value& x, size_t depth);

  const Tree& tree_;
  size_t max_errors_;
  std::vector<SchemaError> errors_;
  std::vector<Seg> path_;
  size_t steps_ = 0;
  int speculative_ = 0;
  Abort abort_ = Abort::kNone;
  std::string abort_instance_, abort_schema_;
};

bool Validator::Check(const Node* n, const bj::value& x, size_t depth) {
  if (abort_ != Abort::kNone) return false;
  if (++steps_ > tree_.max_steps) {
    AbortWith(Abort::kSteps, n);
    return false;
  }
  if (depth > tree_.max_depth) {
    AbortWith(Abort::kDepth, n);
    return false;
  }
  if (n->boolean == 1) return true;
  if (n->boolean == 0) {
    Fail(n, "false schema", "boolean schema is false");
    return false;
  }
  if (n->is_ref) return Check(n->ref, x, depth + 1);
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  if (n->types != 0 && !step(CheckType(n, x))) return false;
  if (n->enum_values) {
    bool found = false, too_deep = false;
    for (const auto& e : *n->enum_values) {
      if (DeepEqual(x, e, tree_.max_depth, &too_deep)) {
        found = true;
        break;
      }
    }
    if (!found) {
      bj::object p;
      p["allowedValues"] = *n->enum_values;
      Fail(n, "enum", "must be equal to one of the allowed values", std::move(p));
    }
    if (!step(found)) return false;
  }
  if (n->const_value) {
    bool too_deep = false;
    bool same = DeepEqual(x, *n->const_value, tree_.max_depth, &too_deep);
    if (!same) {
      bj::object p;
      p["allowedValue"] = *n->const_value;
      Fail(n, "const", "must be equal to constant", std::move(p));
    }
    if (!step(same)) return false;
  }
  if (n->object_keywords && x.is_object() && !step(CheckObject(n, x, depth))) {
    return false;
  }
  if (n->array_keywords && x.is_array() && !step(CheckArray(n, x.get_array(), depth))) {
    return false;
  }
  if (n->string_keywords && x.is_string() && !step(CheckString(n, x.get_string()))) return false;
  if (n->number_keywords && IsNumber(x) && !step(CheckNumber(n, x))) return false;
  step(CheckCombinators(n, x, depth));
  return ok && abort_ == Abort::kNone;
}

bool Validator::CheckType(const Node* n, const bj::value& x) {
  uint8_t bits = 0;
  switch (x.kind()) {
    case bj::kind::null:
      bits = si::kNull;
      break;
    case bj::kind::bool_:
      bits = si::kBool;
      break;
    case bj::kind::int64:
    case bj::kind::uint64:
      bits = si::kInteger | si::kNumber;
      break;
    case bj::kind::double_: {
      double d = x.get_double();
      bits = si::kNumber | (std::isfinite(d) && std::trunc(d) == d ? si::kInteger : 0);
      break;
    }
    case bj::kind::string:
      bits = si::kString;
      break;
    case bj::kind::array:
      bits = si::kArray;
      break;
    case bj::kind::object:
      bits = si::kObject;
      break;
  }
  if ((bits & n->types) != 0) return true;
  bj::object p;
  p["type"] = n->type_text;
  Fail(n, "type", "must be " + n->type_text, std::move(p));
  return false;
}

bool Validator::CheckObject(const Node* n, const bj::value& x, size_t depth) {
  const bj::object& o = x.get_object();
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  auto limit = [&](const std::optional<uint64_t>& lim, bool min) {
    if (!lim || (min ? o.size() >= *lim : o.size() <= *lim)) return true;
    bj::object p;
    p["limit"] = *lim;
    Fail(n, min ? "minProperties" : "maxProperties",
         std::string("must NOT have ") + (min ? "fewer" : "more") + " than " +
             std::to_string(*lim) + " properties",
         std::move(p));
    return false;
  };
  if (!step(limit(n->min_properties, true)) || !step(limit(n->max_properties, false))) return false;
  for (const std::string& r : n->required) {
    if (o.contains(r)) continue;
    bj::object p;
    p["missingProperty"] = r;
    Fail(n, "required", "must have required property '" + r + "'", std::move(p));
    if (!step(false)) return false;
  }
  for (const auto& [prop, deps] : n->dep_required) {
    if (!o.contains(prop)) continue;
    std::string joined;
    for (const auto& d : deps) joined += (joined.empty() ? "" : ", ") + d;
    for (const auto& d : deps) {
      if (o.contains(d)) continue;
      bj::object p;
      p["property"] = prop;
      p["missingProperty"] = d;
      p["depsCount"] = deps.size();
      p["deps"] = joined;
      Fail(n, "dependencies",
           "must have propert" + std::string(deps.size() == 1 ? "y " : "ies ") + joined +
               " when property " + prop + " is present",
           std::move(p));
      if (!step(false)) return false;
    }
  }
  for (const auto& [prop, sub] : n->dep_schemas) {
    if (o.contains(prop) && !step(Check(sub, x, depth + 1))) return false;
  }
  for (const auto& kv : o) {
    std::string_view key = kv.key();
    Seg seg{key, 0, false};
    bool matched = false;
    auto it = std::lower_bound(n->properties.begin(), n->properties.end(), key,
                               [](const auto& p, std::string_view k) { return p.first < k; });
    if (it != n->properties.end() && it->first == key) {
      matched = true;
      if (!step(Child(it->second, kv.value(), depth, seg))) return false;
    }
    for (const auto& pp : n->pattern_properties) {
      if (!RE2::PartialMatch(re2::StringPiece(key.data(), key.size()), *pp.re)) continue;
      matched = true;
      if (!step(Child(pp.node, kv.value(), depth, seg))) return false;
    }
    if (!matched && n->additional_properties != nullptr) {
      if (n->additional_properties->boolean == 0) {
        bj::object p;
        p["additionalProperty"] = key;
        Fail(n, "additionalProperties", "must NOT have additional properties", std::move(p));
        if (!step(false)) return false;
      } else if (!step(Child(n->additional_properties, kv.value(), depth, seg))) {
        return false;
      }
    }
    if (n->property_names != nullptr && !Probe(n->property_names, bj::value(key), depth)) {
      bj::object p;
      p["propertyName"] = key;
      Fail(n, "propertyNames", "property name must be valid", std::move(p));
      if (!step(false)) return false;
    }
  }
  return ok;
}

bool Validator::CheckArray(const Node* n, const bj::array& a, size_t depth) {
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  auto limit = [&](const std::optional<uint64_t>& lim, bool min) {
    if (!lim || (min ? a.size() >= *lim : a.size() <= *lim)) return true;
    bj::object p;
    p["limit"] = *lim;
    Fail(n, min ? "minItems" : "maxItems",
         std::string("must NOT have ") + (min ? "fewer" : "more") + " than " +
             std::to_string(*lim) + " items",
         std::move(p));
    return false;
  };
  if (!step(limit(n->min_items, true)) || !step(limit(n->max_items, false))) return false;
  if (n->unique_items && a.size() > 1) {
    std::unordered_multimap<size_t, size_t> seen;
    bool too_deep = false, dup = false;
    for (size_t i = 0; i < a.size() && !dup && !too_deep; ++i) {
      size_t h = JsonHash(a[i]);
      auto [lo, hi] = seen.equal_range(h);
      for (auto it = lo; it != hi; ++it) {
        if (DeepEqual(a[it->second], a[i], tree_.max_depth, &too_deep)) {
          bj::object p;
          p["i"] = i;
          p["j"] = it->second;
          Fail(n, "uniqueItems",
               "must NOT have duplicate items (items ## " + std::to_string(i) + " and " +
                   std::to_string(it->second) + " are identical)",
               std::move(p));
          dup = true;
          break;
        }
      }
      seen.emplace(h, i);
    }
    if (too_deep) AbortWith(Abort::kDepth, n);
    if (!step(!dup && !too_deep)) return false;
  }
  size_t first_additional = 0;
  if (n->items != nullptr) {
    first_additional = a.size();
    for (size_t i = 0; i < a.size(); ++i) {
      if (!step(Child(n->items, a[i], depth, Seg{{}, i, true}))) return false;
    }
  } else if (n->has_tuple) {
    first_additional = std::min(a.size(), n->tuple.size());
    for (size_t i = 0; i < first_additional; ++i) {
      if (!step(Child(n->tuple[i], a[i], depth, Seg{{}, i, true}))) return false;
    }
  }
  if (n->has_tuple && n->additional_items != nullptr && a.size() > first_additional) {
    if (n->additional_items->boolean == 0) {
      bj::object p;
      p["limit"] = n->tuple.size();
      Fail(n, "additionalItems",
           "must NOT have more than " + std::to_string(n->tuple.size()) + " items", std::move(p));
      if (!step(false)) return false;
    } else {
      for (size_t i = first_additional; i < a.size(); ++i) {
        if (!step(Child(n->additional_items, a[i], depth, Seg{{}, i, true}))) return false;
      }
    }
  }
  if (n->contains != nullptr) {
    bool any = false;
    for (size_t i = 0; i < a.size() && !any && abort_ == Abort::kNone; ++i) {
      path_.push_back(Seg{{}, i, true});
      any = Probe(n->contains, a[i], depth);
      path_.pop_back();
    }
    if (!any) {
      bj::object p;
      p["minContains"] = 1;
      Fail(n, "contains", "must contain at least 1 valid item(s)", std::move(p));
    }
    if (!step(any)) return false;
  }
  return ok;
}

bool Validator::CheckString(const Node* n, std::string_view s) {
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  if (n->min_length || n->max_length) {
    size_t len = CodePoints(s);
    for (bool min : {true, false}) {
      const auto& lim = min ? n->min_length : n->max_length;
      if (!lim || (min ? len >= *lim : len <= *lim)) continue;
      bj::object p;
      p["limit"] = *lim;
      Fail(n, min ? "minLength" : "maxLength",
           std::string("must NOT have ") + (min ? "fewer" : "more") + " than " +
               std::to_string(*lim) + " characters",
           std::move(p));
      if (!step(false)) return false;
    }
  }
  if (n->pattern && !RE2::PartialMatch(re2::StringPiece(s.data(), s.size()), *n->pattern)) {
    bj::object p;
    p["pattern"] = n->pattern_source;
    Fail(n, "pattern", "must match pattern \"" + n->pattern_source + "\"", std::move(p));
    if (!step(false)) return false;
  }
  if (n->format != Format::kNone && !CheckFormat(n->format, s)) {
    bj::object p;
    p["format"] = n->format_name;
    Fail(n, "format", "must match format \"" + n->format_name + "\"", std::move(p));
    if (!step(false)) return false;
  }
  return ok;
}

bool Validator::CheckNumber(const Node* n, const bj::value& x) {
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  // keyword, limit, required sign of CompareNumbers(x, limit): ">=" allows 0 and 1, ">" only 1.
  auto bound = [&](const char* keyword, const std::optional<bj::value>& lim, bool lower,
                   bool exclusive) {
    if (!lim) return true;
    int c = CompareNumbers(x, *lim);
    bool passed = lower ? (exclusive ? c > 0 : c >= 0) : (exclusive ? c < 0 : c <= 0);
    if (passed) return true;
    std::string cmp = std::string(lower ? ">" : "<") + (exclusive ? "" : "=");
    bj::object p;
    p["comparison"] = cmp;
    p["limit"] = *lim;
    Fail(n, keyword, "must be " + cmp + " " + FormatNumber(*lim), std::move(p));
    return false;
  };
  if (!step(bound("minimum", n->minimum, true, n->minimum_exclusive))) return false;
  if (!step(bound("maximum", n->maximum, false, n->maximum_exclusive))) return false;
  if (!step(bound("exclusiveMinimum", n->exclusive_minimum, true, true))) return false;
  if (!step(bound("exclusiveMaximum", n->exclusive_maximum, false, true))) return false;
  if (n->multiple_of) {
    const bj::value& m = *n->multiple_of;
    bool multiple;
    if ((x.is_int64() || x.is_uint64()) && (m.is_int64() || m.is_uint64())) {
      uint64_t mv = m.is_int64() ? static_cast<uint64_t>(m.get_int64()) : m.get_uint64();
      uint64_t xv = x.is_uint64() ? x.get_uint64()
                                  : (x.get_int64() < 0 ? 0 - static_cast<uint64_t>(x.get_int64())
                                                       : static_cast<uint64_t>(x.get_int64()));
      multiple = xv % mv == 0;
    } else {
      double q = AsDouble(x) / AsDouble(m);
      multiple =
          std::isfinite(q) && std::fabs(q - std::round(q)) <= 1e-9 * std::max(1.0, std::fabs(q));
    }
    if (!multiple) {
      bj::object p;
      p["multipleOf"] = m;
      Fail(n, "multipleOf", "must be multiple of " + FormatNumber(m), std::move(p));
      if (!step(false)) return false;
    }
  }
  return ok;
}

bool Validator::CheckCombinators(const Node* n, const bj::value& x, size_t depth) {
  bool ok = true;
  auto step = [&](bool passed) {
    if (!passed) ok = false;
    return passed || !Stop();
  };
  for (const Node* sub : n->all_of) {
    if (!step(Check(sub, x, depth + 1))) return false;
  }
  if (!n->any_of.empty()) {
    size_t mark = errors_.size();
    bool any = false;
    ++speculative_;
    for (const Node* sub : n->any_of) {
      if (Check(sub, x, depth + 1)) {
        any = true;
        break;
      }
      if (abort_ != Abort::kNone) break;
    }
    --speculative_;
    if (any) {
      errors_.resize(mark);
    } else {
      Fail(n, "anyOf", "must match a schema in anyOf");
    }
    if (!step(any)) return false;
  }
  if (!n->one_of.empty()) {
    size_t mark = errors_.size();
    std::vector<size_t> passing;
    ++speculative_;
    for (size_t i = 0; i < n->one_of.size() && passing.size() < 2; ++i) {
      size_t before = errors_.size();
      if (Check(n->one_of[i], x, depth + 1)) {
        passing.push_back(i);
        errors_.resize(before);
      }
      if (abort_ != Abort::kNone) break;
    }
    --speculative_;
    if (passing.size() == 1) {
      errors_.resize(mark);
    } else {
      bj::object p;
      if (passing.empty()) {
        p["passingSchemas"] = nullptr;
      } else {
        errors_.resize(mark);
        p["passingSchemas"] = bj::array{passing[0], passing[1]};
      }
      Fail(n, "oneOf", "must match exactly one schema in oneOf", std::move(p));
    }
    if (!step(passing.size() == 1)) return false;
  }
  if (n->not_schema != nullptr) {
    bool matched = Probe(n->not_schema, x, depth);
    if (matched) Fail(n, "not", "must NOT be valid");
    if (!step(!matched)) return false;
  }
  if (n->if_schema != nullptr && (n->then_schema != nullptr || n->else_schema != nullptr)) {
    bool cond = Probe(n->if_schema, x, depth);
    const Node* branch = cond ? n->then_schema : n->else_schema;
    if (branch != nullptr && !Check(branch, x, depth + 1)) {
      const char* which = cond ? "then" : "else";
      bj::object p;
      p["failingKeyword"] = which;
      Fail(n, "if", std::string("must match \"") + which + "\" schema", std::move(p));
      if (!step(false)) return false;
    }
  }
  return ok;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

Schema::Schema(std::unique_ptr<Tree> tree) : tree_(std::move(tree)) {}
Schema::~Schema() = default;

base::Result<std::shared_ptr<const Schema>> Schema::Compile(const bj::value& schema,
                                                            const SchemaOptions& options) {
  try {
    Compiler compiler(schema, options);
    auto tree = compiler.Run();
    if (!tree.ok()) return tree.status();
    return std::shared_ptr<const Schema>(new Schema(std::move(tree).value()));
  } catch (const std::exception& e) {
    return base::Internal(std::string("schema compile failed: ") + e.what());
  }
}

std::vector<SchemaError> Schema::Validate(const bj::value& instance, size_t max_errors) const {
  Validator v(*tree_, max_errors);
  return v.Run(instance);
}

bj::array ErrorsToJson(const std::vector<SchemaError>& errors) {
  bj::array out;
  out.reserve(errors.size());
  for (const auto& e : errors) {
    out.push_back(bj::object{{"keyword", e.keyword},
                             {"instancePath", e.instance_path},
                             {"schemaPath", e.schema_path},
                             {"params", e.params},
                             {"message", e.message}});
  }
  return out;
}

std::string ErrorsToMessage(const std::vector<SchemaError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    if (!e.instance_path.empty()) out += e.instance_path + " ";
    out += e.message;
    for (const char* key : {"additionalProperty", "propertyName"}) {
      if (auto it = e.params.find(key); it != e.params.end() && it->value().is_string()) {
        out += " '" + std::string(it->value().get_string()) + "'";
      }
    }
  }
  return out;
}

}  // namespace opsflow::json
