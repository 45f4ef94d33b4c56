// The event topics (SPEC §5, IAP-REFERENCE §5 "Events"), once: what the runtime publishes
// (runtime::Event::topic holds the name), what a stream may subscribe to
// (/operations-manager/events?topics=) and what an eventSystem trigger may listen to (the job
// topics).
// Thread-safety: constants and stateless functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace opsflow::runtime {

enum class Topic : uint8_t {
  kJobStart,
  kJobComplete,
  kJobError,
  kJobPause,
  kJobResume,
  kJobCancel,
  kJobFix,  // error -> running: a retry or a continue
  kJobSlaBreach,
  kTaskStart,
  kTaskComplete,
};

inline constexpr Topic kAllTopics[] = {
    Topic::kJobStart,  Topic::kJobComplete,  Topic::kJobError, Topic::kJobPause,
    Topic::kJobResume, Topic::kJobCancel,    Topic::kJobFix,   Topic::kJobSlaBreach,
    Topic::kTaskStart, Topic::kTaskComplete,
};

const char* TopicName(Topic t);
// False (out untouched) for a name that is no topic.
bool ParseTopic(std::string_view name, Topic* out);
bool IsJobTopic(Topic t);
// The names, joined by `sep`, in kAllTopics' order; job topics only when `jobs_only`.
std::string TopicNames(bool jobs_only, std::string_view sep);

}  // namespace opsflow::runtime
