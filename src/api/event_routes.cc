// GET /operations-manager/events: job and task events as server-sent events (SPEC §5 events,
// §9 live updates; an opsflow extension, not an IAP route). Each event is
//   id: <seq>\nevent: <topic>\ndata: <json>\n\n
// with data {seq, topic, jobId, workflow, status, time, [taskId, taskName, finishState],
// [parentJobId]} (camelCase, as the IAP job documents' metadata is). Filters: `jobId=` (repeatable;
// an event also matches when its parentJobId is one of them, so a page can follow a job's
// children) and `topic=` (repeatable). Access: admins see every event; other accounts the events
// of jobs with no groups or sharing a group with them (their groups when the stream opened).
// In a cluster the stream also carries the events of jobs driven by the other processes
// (runtime/event_relay.h), with the same shape, order per job and filters.
// There is no replay: an event published before the stream opened is not sent (Last-Event-ID is
// ignored); a client that falls behind by more than ApiOptions::event_queue_bytes gets
// `event: overflow` and the stream ends.
#include <algorithm>
#include <array>
#include <charconv>
#include <memory>
#include <optional>

#include "api/state.h"
#include "auth/access.h"
#include "automation/event_definitions.h"
#include "base/clock.h"
#include "base/ids.h"
#include "base/metrics.h"
#include "runtime/events.h"
#include "runtime/topics.h"

namespace opsflow::api {
namespace {

struct EventFilter {
  std::vector<std::string> job_ids;  // empty: every job
  std::vector<std::string> topics;   // empty: every topic
  auth::Account account;             // who may see what

  bool Match(const runtime::Event& e) const {
    auto has = [](const std::vector<std::string>& v, const std::string& x) {
      return std::find(v.begin(), v.end(), x) != v.end();
    };
    if (!topics.empty() && !has(topics, e.topic)) return false;
    // A job id also follows its child jobs, at any depth.
    if (!job_ids.empty() && !has(job_ids, e.job_id) &&
        std::none_of(e.ancestors.begin(), e.ancestors.end(),
                     [&](const std::string& a) { return has(job_ids, a); })) {
      return false;
    }
    return auth::CanSee(account, e.groups);
  }
};

// Reads the filters; replies 400 naming a bad one and returns false.
bool ParseFilter(Call& c, EventFilter* f) {
  for (const auto& [k, v] : c.req.query) {
    if (k == "jobId") {
      if (!CheckJobId(c, v)) return false;
      f->job_ids.push_back(v);
    } else if (k == "topic") {
      runtime::Topic topic;
      if (!runtime::ParseTopic(v, &topic)) {
        ReplyError(c, 400,
                   "'" + v + "' is not an event topic (" + runtime::TopicNames(false, ", ") + ")");
        return false;
      }
      f->topics.push_back(v);
    } else if (k != "token") {
      ReplyError(c, 400, "unknown parameter '" + k + "' (the event stream takes jobId and topic)");
      return false;
    }
  }
  return true;
}

// Event ids are "<bus epoch>-<seq>": a Last-Event-ID from an earlier process (whose seq started
// again at 1) is told apart. The seq of `id` when it is one of this bus's ids.
std::optional<uint64_t> SeqOfEventId(std::string_view id, int64_t epoch) {
  std::string prefix = std::to_string(epoch) + "-";
  if (id.substr(0, prefix.size()) != prefix) return std::nullopt;
  std::string_view digits = id.substr(prefix.size());
  uint64_t seq = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), seq);
  if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return seq;
}

std::string FormatEvent(const runtime::Event& e, int64_t epoch) {
  bj::object d{{"seq", e.seq},           {"topic", e.topic},   {"jobId", e.job_id},
               {"workflow", e.workflow}, {"status", e.status}, {"time", base::IsoTime(e.time_ms)}};
  if (!e.task_id.empty()) {
    d["taskId"] = e.task_id;
    d["taskName"] = e.task_name;
  }
  if (!e.finish_state.empty()) d["finishState"] = e.finish_state;
  if (!e.parent_job_id.empty()) d["parentJobId"] = e.parent_job_id;
  if (e.topic == runtime::TopicName(runtime::Topic::kJobSlaBreach)) {
    d["runTime"] = e.run_time_ms;
    d["slaDelta"] = e.sla_delta_ms;
  }
  return "id: " + std::to_string(epoch) + "-" + std::to_string(e.seq) + "\nevent: " + e.topic +
         "\ndata: " + bj::serialize(d) + "\n\n";
}

void StreamEvents(Api::State& s, Call& c) {
  auto filter = std::make_shared<EventFilter>();
  if (!ParseFilter(c, filter.get())) return;
  filter->account = *c.account;
  Stream::Options so;
  so.max_queued_bytes = s.opts.event_queue_bytes;
  so.overflow_chunk = "event: overflow\ndata: {\"message\":\"the client fell behind by more than " +
                      std::to_string(s.opts.event_queue_bytes) + " bytes; reconnect\"}\n\n";
  so.heartbeat = std::chrono::milliseconds(s.opts.event_heartbeat_ms);
  so.heartbeat_chunk = ": keep-alive\n\n";
  auto stream = std::make_shared<Stream>(std::move(so));
  stream->Push("retry: 3000\n: connected\n\n");
  // Subscribed before the answer goes out: a client that has the headers misses nothing after.
  // A reconnecting client (Last-Event-ID, as EventSource sends it) first gets what it missed,
  // or `event: reset` when that is no longer known.
  runtime::EventBus* bus = s.deps.runtime->events();
  int64_t epoch = bus->epoch();
  auto deliver = [stream, filter, epoch](const runtime::Event& e) {
    if (filter->Match(e)) stream->Push(FormatEvent(e, epoch));
  };
  std::string_view last = c.req.Header("last-event-id");
  uint64_t id;
  // The events of every process of a cluster (runtime/event_relay.h), filtered alike.
  runtime::SubscribeOptions all;
  all.remote_events = true;
  if (last.empty()) {
    id = bus->Subscribe(deliver, all);
  } else {
    std::optional<uint64_t> after = SeqOfEventId(last, epoch);
    auto reset = [stream] {
      stream->Push(
          "event: reset\ndata: {\"message\":\"events since your Last-Event-ID are no longer "
          "available; re-read the jobs you follow\"}\n\n");
    };
    if (after) {
      id = bus->SubscribeAfter(*after, deliver, true, reset, /*remote_events=*/true);
    } else {
      reset();
      id = bus->Subscribe(deliver, all);
    }
  }
  base::metrics::Get().event_streams_open.fetch_add(1, std::memory_order_relaxed);
  stream->SetOnClose([bus, id] {
    bus->Unsubscribe(id);
    base::metrics::Get().event_streams_open.fetch_sub(1, std::memory_order_relaxed);
  });
  Response r;
  r.content_type = "text/event-stream; charset=utf-8";
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Accel-Buffering", "no");  // proxies must not buffer the stream
  r.stream = std::move(stream);
  c.done(std::move(r));
}

// GET /operations-manager/events/:source/:topic (IAP getEventDefinition): what an eventSystem
// trigger listening to `topic` receives, as IAP answers it: the bare {source, topic,
// definition} (no envelope). The source "@itential/app-workflow_engine" holds a '/': sent
// percent-encoded it arrives decoded as two segments, so a second row takes it in two.
void GetEventDefinition(Api::State&, Call& c) {
  std::string source = c.params.size() == 3 ? c.params[0] + "/" + c.params[1] : c.params[0];
  auto def = automation::EventDefinition(source, c.params.back());
  if (!def.ok()) return ReplyError(c, def.status());
  Reply(c, 200, *def);
}

}  // namespace

std::span<const Route> EventRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/events", StreamEvents, true},
      {"GET", "/operations-manager/events/:source/:topic", GetEventDefinition, true},
      {"GET", "/operations-manager/events/:scope/:source/:topic", GetEventDefinition, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
