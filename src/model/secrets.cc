#include "model/secrets.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "json/pointer.h"

namespace opsflow::model {
namespace bj = boost::json;
namespace {

constexpr std::string_view kVariables = "/variables";

bool IsVariablesPointer(std::string_view p) {
  return p.size() > kVariables.size() + 1 && p.substr(0, kVariables.size() + 1) == "/variables/";
}

std::string UnescapeToken(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '~' && i + 1 < t.size() && (t[i + 1] == '0' || t[i + 1] == '1')) {
      out.push_back(t[i + 1] == '0' ? '~' : '/');
      ++i;
    } else {
      out.push_back(t[i]);
    }
  }
  return out;
}

// The value at `rel` ("/x/y") inside the variables object, without copying the object.
const bj::value* FindInObject(const bj::object& o, std::string_view rel) {
  if (rel.empty() || rel[0] != '/') return nullptr;
  size_t slash = rel.find('/', 1);
  std::string key =
      UnescapeToken(rel.substr(1, slash == std::string_view::npos ? rel.npos : slash - 1));
  const bj::value* v = o.if_contains(key);
  if (!v || slash == std::string_view::npos) return v;
  return json::FindPointer(*v, rel.substr(slash));
}

void AddStrings(const bj::value& v, std::vector<std::string>* out) {
  switch (v.kind()) {
    case bj::kind::string:
      if (!v.get_string().empty()) out->emplace_back(v.get_string());
      break;
    case bj::kind::int64:
    case bj::kind::uint64:
    case bj::kind::double_:
      out->push_back(bj::serialize(v));
      break;
    case bj::kind::object:
      for (const auto& kv : v.get_object()) AddStrings(kv.value(), out);
      break;
    case bj::kind::array:
      for (const auto& e : v.get_array()) AddStrings(e, out);
      break;
    default:
      break;
  }
}

bool Secret(const bj::value& v, const SecretSet& s) {
  if (v.is_null() || v.is_bool()) return false;
  for (const bj::value& x : s.values) {
    if (x == v) return true;
  }
  if (!v.is_string()) return false;
  std::string_view str = v.get_string();
  for (const std::string& x : s.strings) {
    if (str == x || (x.size() >= kMinSubstring && str.find(x) != std::string_view::npos)) {
      return true;
    }
  }
  return false;
}

void Walk(bj::value* v, std::string* ptr, const SecretSet& s, const Replacer& replace) {
  if (IsSealed(*v)) return;
  if (Secret(*v, s)) {
    *v = replace(*v, *ptr);
    return;
  }
  size_t len = ptr->size();
  if (v->is_object()) {
    for (auto& kv : v->get_object()) {
      ptr->append("/").append(json::EscapePointerToken(kv.key()));
      Walk(&kv.value(), ptr, s, replace);
      ptr->resize(len);
    }
  } else if (v->is_array()) {
    bj::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      ptr->append("/").append(std::to_string(i));
      Walk(&a[i], ptr, s, replace);
      ptr->resize(len);
    }
  }
}

void WalkSealed(bj::value* v, std::string* ptr, const Replacer& replace) {
  if (IsSealed(*v)) {
    *v = replace(bj::value(v->get_string().subview(kSealedPrefix.size())), *ptr);
    return;
  }
  size_t len = ptr->size();
  if (v->is_object()) {
    for (auto& kv : v->get_object()) {
      ptr->append("/").append(json::EscapePointerToken(kv.key()));
      WalkSealed(&kv.value(), ptr, replace);
      ptr->resize(len);
    }
  } else if (v->is_array()) {
    bj::array& a = v->get_array();
    for (size_t i = 0; i < a.size(); ++i) {
      ptr->append("/").append(std::to_string(i));
      WalkSealed(&a[i], ptr, replace);
      ptr->resize(len);
    }
  }
}

}  // namespace

std::vector<std::string> EncryptionPointers(const bj::value* decorators) {
  std::vector<std::string> out;
  if (!decorators || !decorators->is_array()) return out;
  for (const bj::value& d : decorators->get_array()) {
    const bj::object* o = d.if_object();
    if (!o) continue;
    const bj::value* type = o->if_contains("type");
    const bj::value* ptr = o->if_contains("pointer");
    if (!type || !ptr || !type->is_string() || !ptr->is_string()) continue;
    if (type->get_string() != "encryption" || !IsVariablesPointer(ptr->get_string())) continue;
    std::string p(ptr->get_string());
    bool seen = false;
    for (const auto& q : out) seen = seen || q == p;
    if (!seen) out.push_back(std::move(p));
  }
  return out;
}

base::Status CheckDecorators(const bj::value& decorators) {
  if (!decorators.is_array()) return base::InvalidArgument("options.decorators must be an array");
  const bj::array& a = decorators.get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    std::string where = "options.decorators[" + std::to_string(i) + "]";
    const bj::object* o = a[i].if_object();
    if (!o) return base::InvalidArgument(where + " must be an object {type, pointer}");
    const bj::value* type = o->if_contains("type");
    if (!type || !type->is_string() || type->get_string() != "encryption") {
      return base::InvalidArgument(where + ".type must be \"encryption\"");
    }
    const bj::value* ptr = o->if_contains("pointer");
    if (!ptr || !ptr->is_string() || !IsVariablesPointer(ptr->get_string())) {
      return base::InvalidArgument(where +
                                   ".pointer must be a JSON pointer into the job's variables, "
                                   "such as \"/variables/password\"");
    }
  }
  return base::Status::Ok();
}

bj::array MergeDecorators(const bj::value* base, const bj::array& extra) {
  bj::array out;
  if (base && base->is_array()) out = base->get_array();
  for (const bj::value& d : extra) {
    bool seen = false;
    for (const bj::value& e : out) seen = seen || e == d;
    if (!seen) out.push_back(d);
  }
  return out;
}

base::Result<std::shared_ptr<const Workflow>> WithDecorators(std::shared_ptr<const Workflow> wf,
                                                             const bj::array& extra) {
  const bj::value* base = wf->doc().if_contains("decorators");
  bj::array merged = MergeDecorators(base, extra);
  size_t before = base && base->is_array() ? base->get_array().size() : 0;
  if (merged.size() == before) return wf;
  bj::object doc = wf->doc();
  doc["decorators"] = std::move(merged);
  return Workflow::FromJson(std::move(doc));
}

SecretSet CollectSecrets(const bj::object& variables, const std::vector<std::string>& pointers) {
  SecretSet s;
  for (const std::string& p : pointers) {
    if (!IsVariablesPointer(p)) continue;
    const bj::value* v = FindInObject(variables, std::string_view(p).substr(kVariables.size()));
    if (!v || v->is_null() || v->is_bool() || IsSealed(*v)) continue;
    if (v->is_string() && v->get_string().empty()) continue;
    s.values.push_back(*v);
    AddStrings(*v, &s.strings);
  }
  return s;
}

bool IsSealed(const bj::value& v) {
  return v.is_string() && v.get_string().size() > kSealedPrefix.size() &&
         std::string_view(v.get_string()).substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

void ReplaceSecrets(bj::value* v, const std::string& base, const std::vector<std::string>& pointers,
                    const SecretSet& secrets, const Replacer& replace) {
  for (const std::string& p : pointers) {
    bj::value* at = json::FindPointer(*v, p);
    if (at && !at->is_null() && !IsSealed(*at)) *at = replace(*at, base + p);
  }
  if (secrets.empty()) return;
  std::string ptr = base;
  Walk(v, &ptr, secrets, replace);
}

void ReplaceSealed(bj::value* v, const std::string& base, const Replacer& replace) {
  std::string ptr = base;
  WalkSealed(v, &ptr, replace);
}

void MaskSealed(bj::value* v) {
  // Runs on every document read: no pointers, no allocation unless something is sealed.
  if (IsSealed(*v)) {
    *v = kMask;
  } else if (v->is_object()) {
    for (auto& kv : v->get_object()) MaskSealed(&kv.value());
  } else if (v->is_array()) {
    for (auto& e : v->get_array()) MaskSealed(&e);
  }
}

std::string MaskText(std::string text, const SecretSet& secrets) {
  for (const std::string& s : secrets.strings) {
    if (text == s) return std::string(kMask);
    if (s.size() < kMinSubstring) continue;
    for (size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos)) {
      text.replace(pos, s.size(), kMask);
      pos += kMask.size();
    }
  }
  return text;
}

}  // namespace opsflow::model
