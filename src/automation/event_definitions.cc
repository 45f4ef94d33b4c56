#include "automation/event_definitions.h"

#include <boost/json.hpp>
#include <string>

#include "automation/trigger_internal.h"
#include "runtime/topics.h"

namespace opsflow::automation {
namespace bj = boost::json;

namespace {

// The job document as a trigger payload carries it (GET /operations-manager/jobs/:id); the
// fields a trigger's schema or JST usually reads, others allowed.
bj::object JobSchema() {
  bj::object str{{"type", "string"}};
  return bj::object{
      {"type", "object"},
      {"required", bj::array{"_id", "name", "status"}},
      {"properties",
       bj::object{
           {"_id", bj::object{{"type", "string"}, {"pattern", "^[0-9a-f]{24}$"}}},
           {"name", str},
           {"description", str},
           {"type", str},
           {"status", bj::object{{"type", "string"},
                                 {"enum", bj::array{"running", "paused", "complete", "error",
                                                    "canceled"}}}},
           {"variables", bj::object{{"type", "object"}}},
           {"groups", bj::object{{"type", "array"}, {"items", str}}},
           {"error", bj::object{{"type", "array"}}},
           {"ancestors", bj::object{{"type", "array"}, {"items", str}}},
           {"parent", bj::object{{"type", bj::array{"object", "null"}}}},
           {"metrics", bj::object{{"type", "object"}}},
           {"created", str},
           {"created_by", str},
           {"last_updated", str},
       }},
      {"additionalProperties", true}};
}

}  // namespace

std::string_view EventSource() { return internal::kEventSource; }

base::Result<bj::object> EventDefinition(std::string_view source, std::string_view topic) {
  const std::string_view full = internal::kEventSource;  // "@itential/app-workflow_engine"
  const std::string_view bare = full.substr(full.find('/') + 1);
  if (source != full && source != bare) {
    return base::NotFound("no event source '" + std::string(source) + "' (the one source is '" +
                          std::string(full) + "')");
  }
  runtime::Topic t;
  if (!runtime::ParseTopic(topic, &t) || !runtime::IsJobTopic(t)) {
    return base::NotFound("no event '" + std::string(topic) + "' from '" + std::string(full) +
                          "' (events: " + runtime::TopicNames(true, ", ") + ")");
  }
  bj::object props{
      {"source", bj::object{{"type", "string"}, {"const", full}}},
      {"topic", bj::object{{"type", "string"}, {"const", topic}}},
      {"job", JobSchema()},
  };
  bj::array required{"source", "topic", "job"};
  if (t == runtime::Topic::kJobSlaBreach) {
    props["runTime"] = bj::object{{"type", "integer"}, {"description", "ms the job has run"}};
    props["slaDelta"] = bj::object{{"type", "integer"}, {"description", "ms past the SLA"}};
    required.emplace_back("runTime");
    required.emplace_back("slaDelta");
  }
  return bj::object{
      {"source", full},
      {"topic", topic},
      {"definition", bj::object{{"$schema", "http://json-schema.org/draft-07/schema#"},
                                {"title", std::string(topic)},
                                {"type", "object"},
                                {"required", std::move(required)},
                                {"properties", std::move(props)}}}};
}

}  // namespace opsflow::automation
