// setObjectKey (WorkFlowEngine): sets a value at a path inside a copy of an object.
//
// IAP inputs:  obj (object), path (array of keys, e.g. ["serials"], or a dotted string "a.b"),
//              value (any)
// IAP outputs: object (the updated copy)
// Rules: missing or non-container intermediate keys become {}; inside an array a segment must
// be an index 0..size (size appends).
// Decisions: obj null, absent or "" starts from {}; any other non-object obj is an error, as is
// an empty path, a path that is neither array nor string, a segment that is not a string or
// integer, or an array index out of range.
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

base::Result<json::array> Segments(const json::value& path) {
  json::array segs;
  if (path.is_array()) {
    segs = path.get_array();
  } else if (path.is_string()) {
    std::string_view s = path.get_string();
    size_t start = 0;
    while (true) {
      size_t dot = s.find('.', start);
      segs.emplace_back(s.substr(start, dot == std::string_view::npos ? dot : dot - start));
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  } else {
    return base::InvalidArgument(std::string("input \"path\" must be an array or a string, got ") +
                                 TypeName(path));
  }
  if (segs.empty() || (path.is_string() && path.get_string().empty())) {
    return base::InvalidArgument("input \"path\" is empty");
  }
  for (const json::value& seg : segs) {
    if (!seg.is_string() && !AsInteger(seg)) {
      return base::InvalidArgument(std::string("path segments must be strings or integers, got ") +
                                   TypeName(seg));
    }
  }
  return segs;
}

}  // namespace

base::Status SetAtPath(json::value& root, const json::array& segs, json::value value) {
  json::value* cur = &root;
  for (size_t i = 0; i < segs.size(); ++i) {
    bool last = i + 1 == segs.size();
    const json::value& seg = segs[i];
    json::value* next = nullptr;
    if (cur->is_object()) {
      next = &cur->get_object()[ToText(seg)];
    } else if (cur->is_array()) {
      json::array& arr = cur->get_array();
      auto idx = AsInteger(seg);
      if (!idx || *idx < 0 || static_cast<uint64_t>(*idx) > arr.size()) {
        return base::InvalidArgument("path segment " + ToText(seg) + " is not an index 0.." +
                                     std::to_string(arr.size()) + " of the array there");
      }
      if (static_cast<size_t>(*idx) == arr.size()) arr.emplace_back(nullptr);
      next = &arr[static_cast<size_t>(*idx)];
    } else {
      return base::InvalidArgument("cannot set inside a " + std::string(TypeName(*cur)));
    }
    if (last) {
      *next = std::move(value);
    } else if (!next->is_object() && !next->is_array()) {
      *next = json::object();
    }
    cur = next;
  }
  return base::Status::Ok();
}

TaskResult RunSetObjectKey(const TaskContext& ctx) {
  const json::value* obj = Find(ctx.incoming, "obj");
  json::value root = json::object();
  if (obj && obj->is_object()) {
    root = *obj;
  } else if (obj && !obj->is_null() && !(obj->is_string() && obj->get_string().empty())) {
    return WrongType("setObjectKey", "obj", "an object", obj);
  }
  const json::value* path = Find(ctx.incoming, "path");
  if (!path) return WrongType("setObjectKey", "path", "an array of keys or a string", path);
  auto segs = Segments(*path);
  if (!segs.ok()) return Error("setObjectKey: " + segs.status().message());
  const json::value* value = Find(ctx.incoming, "value");
  base::Status st = SetAtPath(root, *segs, value ? *value : json::value());
  if (!st.ok()) return Error("setObjectKey: " + st.message());
  json::object out;
  out["object"] = std::move(root);
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
