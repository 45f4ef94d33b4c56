#include "json/pointer.h"

#include <boost/json/value.hpp>
#include <charconv>
#include <string>

namespace opsflow::json {
namespace bj = boost::json;
namespace {

std::string Unescape(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out.push_back(token[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

bool ParseIndex(std::string_view s, size_t* out) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Calls step(token) for each reference token of `pointer`; stops when it returns false.
template <typename F>
bool ForEachToken(std::string_view pointer, F&& step) {
  if (pointer.empty()) return true;
  if (pointer[0] != '/') return false;
  size_t pos = 1;
  while (true) {
    size_t next = pointer.find('/', pos);
    std::string_view raw =
        pointer.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    if (!step(Unescape(raw))) return false;
    if (next == std::string_view::npos) return true;
    pos = next + 1;
  }
}

bj::value* Child(bj::value* cur, const std::string& token) {
  if (auto* o = cur->if_object()) {
    auto it = o->find(token);
    return it == o->end() ? nullptr : &it->value();
  }
  if (auto* a = cur->if_array()) {
    size_t i;
    if (!ParseIndex(token, &i) || i >= a->size()) return nullptr;
    return &(*a)[i];
  }
  return nullptr;
}

}  // namespace

bj::value* FindPointer(bj::value& root, std::string_view pointer) {
  bj::value* cur = &root;
  bool ok = ForEachToken(pointer, [&](const std::string& token) {
    cur = Child(cur, token);
    return cur != nullptr;
  });
  return ok ? cur : nullptr;
}

const bj::value* FindPointer(const bj::value& root, std::string_view pointer) {
  return FindPointer(const_cast<bj::value&>(root), pointer);
}

base::Status SetPointer(bj::value& root, std::string_view pointer, bj::value v) {
  if (pointer.empty()) {
    root = std::move(v);
    return base::Status::Ok();
  }
  if (pointer[0] != '/') return base::InvalidArgument("JSON pointer must start with '/'");
  std::vector<std::string> tokens;
  ForEachToken(pointer, [&](const std::string& t) {
    tokens.push_back(t);
    return true;
  });
  bj::value* cur = &root;
  for (size_t i = 0; i < tokens.size(); ++i) {
    bool last = i + 1 == tokens.size();
    const std::string& t = tokens[i];
    if (cur->is_null()) cur->emplace_object();
    if (auto* o = cur->if_object()) {
      if (last) {
        (*o)[t] = std::move(v);
        return base::Status::Ok();
      }
      cur = &(*o)[t];
      continue;
    }
    if (auto* a = cur->if_array()) {
      size_t idx;
      if (t == "-") {
        a->emplace_back(nullptr);
        idx = a->size() - 1;
      } else if (!ParseIndex(t, &idx) || idx >= a->size()) {
        return base::InvalidArgument("array index '" + t + "' out of range in pointer " +
                                     std::string(pointer));
      }
      if (last) {
        (*a)[idx] = std::move(v);
        return base::Status::Ok();
      }
      cur = &(*a)[idx];
      continue;
    }
    return base::InvalidArgument("pointer " + std::string(pointer) + " goes through a scalar");
  }
  return base::Status::Ok();
}

const bj::value* FindPath(const bj::value& root, std::string_view path) {
  const bj::value* cur = &root;
  size_t pos = 0;
  while (cur && pos <= path.size()) {
    size_t dot = path.find('.', pos);
    std::string token(path.substr(pos, dot == std::string_view::npos ? path.npos : dot - pos));
    cur = Child(const_cast<bj::value*>(cur), token);
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return cur;
}

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace opsflow::json
