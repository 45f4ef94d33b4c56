// Helpers for the JST tests: build one-method documents and run them.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "tasks/jst/jst.h"

namespace opsflow::tasks::jst::testing {

inline boost::json::object Obj(const char* text) { return boost::json::parse(text).as_object(); }

// A JST whose only work is `library.method(args...)`, returned as outgoing "out".
inline boost::json::object OneMethod(const std::string& name, const boost::json::array& args,
                                     const char* type = "method") {
  size_t dot = name.find('.');
  boost::json::object step{{"id", 1},
                           {"type", type},
                           {"library", name.substr(0, dot)},
                           {"method", name.substr(dot + 1)},
                           {"args", args}};
  boost::json::object assign = Obj(
      R"({"id":2,"type":"assign","from":{"location":"method","name":1,"ptr":"/return"},
          "to":{"location":"outgoing","name":"out","ptr":""}})");
  if (std::string(type) == "declaration") assign["from"].as_object()["location"] = "declaration";
  boost::json::object doc;
  doc["name"] = "one";
  doc["incoming"] = boost::json::array();
  doc["outgoing"] = boost::json::array{Obj(R"({"$id":"out"})")};
  doc["steps"] = boost::json::array{step, assign};
  doc["functions"] = boost::json::array();
  return doc;
}

// Runs `name` on `args` (JSON text of an array); the value, or the error message as
// {"error": message}.
inline boost::json::value Call(const std::string& name, const char* args,
                               const boost::json::array& functions = {},
                               const char* type = "method", int64_t now_ms = 0) {
  boost::json::object doc = OneMethod(name, boost::json::parse(args).as_array(), type);
  doc["functions"] = functions;
  JstOptions opts;
  opts.now_ms = now_ms;
  auto r = RunJst(doc, {}, opts);
  if (!r.ok()) return boost::json::object{{"error", r.status().message()}};
  const boost::json::value* v = r->if_contains("out");
  return v ? *v : boost::json::value();
}

}  // namespace opsflow::tasks::jst::testing
