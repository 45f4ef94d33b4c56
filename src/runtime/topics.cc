#include "runtime/topics.h"

namespace opsflow::runtime {

const char* TopicName(Topic t) {
  switch (t) {
    case Topic::kJobStart:
      return "jobStart";
    case Topic::kJobComplete:
      return "jobComplete";
    case Topic::kJobError:
      return "jobError";
    case Topic::kJobPause:
      return "jobPause";
    case Topic::kJobResume:
      return "jobResume";
    case Topic::kJobCancel:
      return "jobCancel";
    case Topic::kJobFix:
      return "jobFix";
    case Topic::kJobSlaBreach:
      return "jobSlaBreach";
    case Topic::kTaskStart:
      return "taskStart";
    case Topic::kTaskComplete:
      return "taskComplete";
  }
  return "";
}

bool ParseTopic(std::string_view name, Topic* out) {
  for (Topic t : kAllTopics) {
    if (name == TopicName(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

bool IsJobTopic(Topic t) { return t != Topic::kTaskStart && t != Topic::kTaskComplete; }

std::string TopicNames(bool jobs_only, std::string_view sep) {
  std::string out;
  for (Topic t : kAllTopics) {
    if (jobs_only && !IsJobTopic(t)) continue;
    if (!out.empty()) out += sep;
    out += TopicName(t);
  }
  return out;
}

}  // namespace opsflow::runtime
