// merge (WorkFlowEngine): combines values into one object (keyed) or one array (unkeyed).
//
// IAP inputs:  data_to_merge: [{key, value}] (keyed form; value was {task, variable}) or
//              [value, ...] (unkeyed form: each {task, variable} item replaced by its value)
// IAP outputs: merged_object
// The engine has resolved each `value` (keyed) and each unkeyed item before the task runs.
// Rules: an item that is an object holding both "key" and "value" (plus, optionally, the UI's
// "editable") is keyed when its key is a non-empty string, unkeyed (its value) when the key is
// empty or null; any other item is an unkeyed value. All keyed -> an object {key: value} in
// order; all unkeyed -> an array of the values in order (IAP: order not deterministic).
// Decisions: any number of items is accepted (issue 10: a recorded IAP job merged a single
// item and succeeded; IAP-REFERENCE §6's "at least 2" was wrong); a single keyed item gives
// {key: value}, a single unkeyed item [value], no items []. A key given more than once
// collects its values into an array in order; mixing keyed and unkeyed items is an error (IAP
// documents that it does not support partial key assignments).
#include <boost/json.hpp>

#include "tasks/builtins.h"
#include "tasks/task_util.h"

namespace opsflow::tasks::internal {

namespace json = boost::json;

namespace {

bool IsKeyedShape(const json::object& o) {
  if (!o.contains("key") || !o.contains("value")) return false;
  for (const auto& kv : o) {
    if (kv.key() != "key" && kv.key() != "value" && kv.key() != "editable") return false;
  }
  return true;
}

}  // namespace

TaskResult RunMerge(const TaskContext& ctx) {
  const json::value* data = Find(ctx.incoming, "data_to_merge");
  if (!data || !data->is_array()) return WrongType("merge", "data_to_merge", "an array", data);
  const json::array& items = data->get_array();
  json::object keyed;
  json::array unkeyed;
  std::vector<std::string> repeated;  // keys already turned into arrays
  for (size_t i = 0; i < items.size(); ++i) {
    const json::value& item = items[i];
    if (item.is_object() && IsKeyedShape(item.get_object())) {
      const json::value& key = item.get_object().at("key");
      const json::value& value = item.get_object().at("value");
      if (key.is_string() && !key.get_string().empty()) {
        std::string k(key.get_string());
        auto it = keyed.find(k);
        if (it == keyed.end()) {
          keyed[k] = value;
        } else if (std::find(repeated.begin(), repeated.end(), k) != repeated.end()) {
          it->value().get_array().push_back(value);
        } else {
          it->value() = json::array{it->value(), value};
          repeated.push_back(k);
        }
        continue;
      }
      if (!key.is_null() && !(key.is_string() && key.get_string().empty())) {
        return Error("merge: data_to_merge[" + std::to_string(i) + "].key must be a string, got " +
                     TypeName(key));
      }
      unkeyed.push_back(value);
      continue;
    }
    unkeyed.push_back(item);
  }
  if (!keyed.empty() && !unkeyed.empty()) {
    return Error("merge: give every item of data_to_merge a key, or none (" +
                 std::to_string(keyed.size()) + " keyed, " + std::to_string(unkeyed.size()) +
                 " without a key)");
  }
  json::object out;
  if (!keyed.empty()) {
    out["merged_object"] = std::move(keyed);
  } else {
    out["merged_object"] = std::move(unkeyed);
  }
  return Success(std::move(out));
}

}  // namespace opsflow::tasks::internal
