// EventRelay (event_relay.h): this process's events out to the cluster, the others' in.
#include "runtime/event_relay.h"

#include <boost/json.hpp>

#include "base/log.h"
#include "json/fields.h"
#include "json/parse.h"

namespace opsflow::runtime {
namespace bj = boost::json;
namespace {

bj::array Strings(const std::vector<std::string>& v) {
  bj::array a;
  for (const std::string& s : v) a.emplace_back(s);
  return a;
}

int64_t Int(const bj::object& o, std::string_view k) {
  const bj::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->get_int64() : 0;
}

std::vector<std::string> StrList(const bj::object& o, std::string_view k) {
  std::vector<std::string> out;
  const bj::value* v = o.if_contains(k);
  if (!v || !v->is_array()) return out;
  for (const bj::value& s : v->get_array()) {
    if (s.is_string()) out.emplace_back(s.get_string());
  }
  return out;
}

}  // namespace

std::string EncodeRemoteEvent(const Event& e) {
  bj::object o{{"topic", e.topic},
               {"job", e.job_id},
               {"workflow", e.workflow},
               {"status", e.status},
               {"time", e.time_ms}};
  if (!e.task_id.empty()) {
    o["task"] = e.task_id;
    o["taskName"] = e.task_name;
  }
  if (!e.finish_state.empty()) o["finish"] = e.finish_state;
  if (!e.groups.empty()) o["groups"] = Strings(e.groups);
  if (!e.parent_job_id.empty()) o["parent"] = e.parent_job_id;
  if (!e.ancestors.empty()) o["ancestors"] = Strings(e.ancestors);
  if (e.run_time_ms != 0) o["runTime"] = e.run_time_ms;
  if (e.sla_delta_ms != 0) o["slaDelta"] = e.sla_delta_ms;
  return json::Serialize(bj::object{{"e", std::move(o)}});
}

bool DecodeRemoteMessage(std::string_view message, Event* e, bool* interest) {
  auto v = json::Parse(message);
  if (!v.ok() || !v->is_object()) return false;
  const bj::object& top = v->get_object();
  *interest = top.contains("want");
  if (*interest) return true;
  const bj::value* ev = top.if_contains("e");
  if (!ev || !ev->is_object()) return false;
  const bj::object& o = ev->get_object();
  *e = Event();
  e->topic = json::StringField(o, "topic");
  e->job_id = json::StringField(o, "job");
  if (e->topic.empty() || e->job_id.empty()) return false;
  e->workflow = json::StringField(o, "workflow");
  e->status = json::StringField(o, "status");
  e->time_ms = Int(o, "time");
  e->task_id = json::StringField(o, "task");
  e->task_name = json::StringField(o, "taskName");
  e->finish_state = json::StringField(o, "finish");
  e->groups = StrList(o, "groups");
  e->parent_job_id = json::StringField(o, "parent");
  e->ancestors = StrList(o, "ancestors");
  e->run_time_ms = Int(o, "runTime");
  e->sla_delta_ms = Int(o, "slaDelta");
  return true;
}

base::Status EventRelay::Start() {
  bus_->SetOnRemoteWanted([this] {
    std::lock_guard<std::mutex> l(mu_);
    wanted_ = true;
    cv_.notify_all();
  });
  auto st = feed_->Start([this](std::string_view m) { OnMessage(m); },
                         [this] {
                           bus_->MarkGap();
                           if (on_doc_change_) on_doc_change_("", "");
                         });
  if (!st.ok()) return st;
  SubscribeOptions o;
  o.task_events = true;
  o.remote_events = false;  // never echoed
  o.counts = false;         // built when another process listens (NoteRemoteInterest)
  sub_id_ = bus_->Subscribe([this](const Event& e) { OnLocal(e); }, o);
  heartbeat_ = std::thread([this] { HeartbeatLoop(); });
  return base::Status();
}

void EventRelay::Stop() {
  if (sub_id_) {
    bus_->Unsubscribe(*sub_id_);
    sub_id_.reset();
  }
  {
    std::lock_guard<std::mutex> l(mu_);
    stop_ = true;
    cv_.notify_all();
  }
  if (heartbeat_.joinable()) heartbeat_.join();
  feed_->Stop();
  bus_->SetOnRemoteWanted(nullptr);
}

void EventRelay::OnLocal(const Event& e) {
  // Only while another process streams (else nothing is sent: a cluster with no open stream
  // pays nothing for this).
  if (!bus_->RemoteInterest()) return;
  feed_->Publish(EncodeRemoteEvent(e));
}

void EventRelay::PublishDocChange(const std::string& kind, const std::string& key) {
  feed_->Publish(json::Serialize(bj::object{{"doc", kind}, {"key", key}}));
}

void EventRelay::OnMessage(std::string_view m) {
  if (m.rfind("{\"doc\":", 0) == 0) {
    auto v = json::Parse(m);
    if (v.ok() && v->is_object() && on_doc_change_) {
      const std::string kind = json::StringField(v->as_object(), "doc");
      if (!kind.empty()) on_doc_change_(kind, json::StringField(v->as_object(), "key"));
    }
    return;
  }
  Event e;
  bool interest = false;
  if (!DecodeRemoteMessage(m, &e, &interest)) {
    base::LogWarn("event relay: an unreadable message from another process; ignored");
    return;
  }
  if (interest) {
    bus_->NoteRemoteInterest(kInterestTtlMs);
    return;
  }
  bus_->PublishRemote(std::move(e));
}

void EventRelay::HeartbeatLoop() {
  std::unique_lock<std::mutex> l(mu_);
  while (!stop_) {
    cv_.wait_for(l, std::chrono::milliseconds(kHeartbeatMs), [this] { return stop_ || wanted_; });
    if (stop_) return;
    wanted_ = false;
    if (!bus_->WantsRemoteEvents()) continue;
    l.unlock();
    feed_->Publish("{\"want\":1}");
    l.lock();
  }
}

}  // namespace opsflow::runtime
