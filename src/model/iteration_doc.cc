#include "model/iteration_doc.h"

#include <boost/json/value.hpp>

#include "json/parse.h"
#include "model/secrets.h"

namespace opsflow::model {
namespace bj = boost::json;

bj::object IterationDocument(const IterationRecord& r) {
  auto parse = [](const std::string& t) {
    auto v = json::Parse(t, {.max_depth = 256, .max_bytes = size_t(1) << 30});
    bj::value out = v.ok() ? std::move(v).value() : bj::value(bj::object());
    MaskSealed(&out);  // secrets are shown as "****" (model/secrets.h)
    return out;
  };
  bj::object metrics{
      {"start_time", r.start_ms ? bj::value(r.start_ms) : bj::value()},
      {"end_time", r.end_ms ? bj::value(r.end_ms) : bj::value()},
      {"finish_state", r.finish_state.empty() ? bj::value() : bj::value(r.finish_state)},
      {"run_time", r.end_ms && r.start_ms ? bj::value(r.end_ms - r.start_ms) : bj::value()}};
  bj::object doc{{"_id", r.id},
                 {"job", bj::object{{"_id", r.job_id}, {"task", r.task_id}}},
                 {"name", r.method},
                 {"iteration", r.iteration},
                 {"status", r.status},
                 {"metrics", std::move(metrics)},
                 {"variables", bj::object{{"incoming", parse(r.incoming_json)},
                                          {"outgoing", parse(r.outgoing_json)}}}};
  if (!r.error.empty()) doc["error"] = r.error;
  return doc;
}

}  // namespace opsflow::model
