// Operations Manager automations and triggers (SPEC §4, IAP-REFERENCE §5 "Triggers"): their
// documents (DocStore kinds "automation" and "trigger", cached in memory), access by GBAC, and the
// four ways a trigger starts its automation's workflow: manual runs, endpoint routes, schedules
// (a scheduler thread driven by base::Clock) and job events (an EventBus subscription served by
// a worker thread of its own, so the runtime thread never waits on us).
//
// Access (GBAC): an automation carries gbac {read[], write[]}; auth/access.h decides who reads
// and changes it (CanReadAutomation, CanChangeAutomation). A user who may not see an automation
// gets NotFound, as if it did not exist; one who may see but not change it gets
// PermissionDenied. A trigger's access follows its automation.
//
// Schedules fire exactly once per due time: the trigger advanced past it (nextRunAt,
// lastExecuted, runCount) is committed in the same transaction as the job it starts
// (TriggerJob::also_commit), so after a crash either both are durable or neither is; a due time
// whose job did not commit is then a missed run, handled like those that passed while the
// process was down, per processMissedRuns (none: skipped; last: one run), after the next Load().
// (The final run of a trigger with removeAfterEnd is at most once: removed, then run.)
//
// Event loop guard: an eventSystem trigger never fires on a job it started itself, and a chain of
// jobs started by event triggers (job A's event starts B, B's starts C, ...) stops after
// `max_event_depth` links. The chain is kept in memory (lost on restart, where it starts over).
//
// Thread-safety: every public method is safe from any thread. Callbacks (StartCallback) run on
// whatever thread JobLauncher::StartJob calls them on.
#pragma once

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/accounts.h"
#include "automation/launcher.h"
#include "automation/schema_cache.h"
#include "base/clock.h"
#include "base/status.h"
#include "model/query.h"
#include "store/job_store.h"

namespace opsflow::automation {

struct TriggerServiceOptions {
  int max_event_depth = 3;      // links in a chain of event-started jobs
  int64_t max_sleep_ms = 1000;  // the scheduler looks at the clock at least this often
  // Cluster (README "Cluster"): schedule triggers fire only while this says so (one process of
  // the cluster, its leader; unset: always), and every reload_ms (0: never) the scheduler reads
  // the automations and triggers again from the store, so what another process changed is live
  // here; it does so only while no scheduled start of its own is in flight.
  std::function<bool()> scheduler_active = nullptr;
  int64_t reload_ms = 0;
};

struct DocPage {
  boost::json::array items;
  int64_t total = 0;
};

// What CloneAutomation made (automation_clone.cc).
struct CloneResult {
  boost::json::object automation;      // the new automation, with `triggers: [...]` (as export)
  boost::json::array automatic_changes;  // sentences: what the clone changed on its own
  // Per trigger of the source, by its _id: {success, _id (the clone's), message?}.
  boost::json::object trigger_results;
};

class TriggerService {
 public:
  TriggerService(store::DocStore* docs, base::Clock* clock, TriggerServiceOptions opts = {});
  ~TriggerService();
  TriggerService(const TriggerService&) = delete;
  TriggerService& operator=(const TriggerService&) = delete;

  // REQUIRES: called before Load() and before any run.
  void SetLauncher(JobLauncher* launcher) { launcher_ = launcher; }
  // Reads every automation and trigger from the store. Due times before this moment are missed
  // runs.
  base::Status Load();
  // Starts the scheduler thread and subscribes to `bus` (may be null: no event triggers).
  void Start(EventBus* bus);
  // Unsubscribes and joins the threads. Idempotent.
  void Stop();

  // ---- automations ----
  base::Result<DocPage> ListAutomations(const auth::Account& v, const model::ListQuery& q);
  base::Result<boost::json::object> GetAutomation(const auth::Account& v, const std::string& id);
  // The automation with `triggers: [...]`.
  base::Result<boost::json::object> ExportAutomation(const auth::Account& v, const std::string& id);
  base::Result<boost::json::object> CreateAutomation(const auth::Account& v,
                                                     boost::json::object body);
  base::Result<boost::json::object> PatchAutomation(const auth::Account& v, const std::string& id,
                                                    boost::json::object patch);
  // Deletes the automation and its triggers.
  base::Status DeleteAutomation(const auth::Account& v, const std::string& id);
  // Creates or replaces (by _id) each {..., triggers:[...]}; per item {success, data} or
  // {success:false, message}. An item is written whole or not at all.
  boost::json::array ImportAutomations(const auth::Account& v, const boost::json::array& items);
  // A copy of automation `id` (which `v` may read) named `name` (nullopt: "<name> (copy)", or
  // "(copy 2)" ... when taken), with copies of its triggers. The clone's triggers are disabled
  // and an endpoint trigger gets a free routeName ("<routeName>-copy", ...): both are listed in
  // automatic_changes. A trigger that fails validation is not cloned (trigger_results says
  // why); the automation is. AlreadyExists when `name` is taken (automation_clone.cc).
  base::Result<CloneResult> CloneAutomation(const auth::Account& v, const std::string& id,
                                            std::optional<std::string> name);

  // ---- triggers ----
  base::Result<DocPage> ListTriggers(const auth::Account& v, const model::ListQuery& q);
  base::Result<boost::json::object> GetTrigger(const auth::Account& v, const std::string& id);
  // The trigger as PUT /operations-manager/triggers imports it back (automation_clone.cc).
  base::Result<boost::json::object> ExportTrigger(const auth::Account& v, const std::string& id);
  base::Result<boost::json::object> CreateTrigger(const auth::Account& v, boost::json::object body);
  base::Result<boost::json::object> PatchTrigger(const auth::Account& v, const std::string& id,
                                                 boost::json::object patch);
  base::Status DeleteTrigger(const auth::Account& v, const std::string& id);
  // Deletes every trigger of an automation; the number deleted.
  base::Result<int64_t> DeleteTriggersOfAutomation(const auth::Account& v, const std::string& id);
  // Creates or replaces (by _id) each trigger; per item {success, data} or {success:false,
  // message}. options.overwrite false refuses an existing _id.
  boost::json::array ImportTriggers(const auth::Account& v, const boost::json::array& items,
                                    const boost::json::object& options);

  // ---- runs (done gets the new job) ----
  // A manual trigger; `form_data` (when given) replaces the trigger's stored formData.
  // `schema_errors` as for RunEndpoint (the workflow's inputSchema).
  void RunManual(const auth::Account& v, const std::string& id,
                 std::optional<boost::json::value> form_data, StartCallback done,
                 std::vector<json::SchemaError>* schema_errors = nullptr);
  // An endpoint trigger by route name. When `body` fails the trigger's schema (or the variables
  // fail the workflow's inputSchema), `schema_errors` receives the ajv-style errors and `done`
  // gets InvalidArgument.
  void RunEndpoint(const auth::Account& v, const std::string& route, const boost::json::value& body,
                   StartCallback done, std::vector<json::SchemaError>* schema_errors);

  // One scheduler pass at the clock's time: starts every due schedule trigger once. The thread
  // calls it; tests call it directly.
  void Tick();
  // Handles one job event (the event worker calls it; tests may call it directly). Blocks until
  // the jobs it starts are created.
  void HandleEvent(const Event& e);

 private:
  struct Origin {
    std::string trigger_id;
    int depth = 0;
  };
  struct Due {
    std::string trigger_id;
    TriggerJob job;
  };

  // trigger_validation.cc: a document as it will be stored (defaults filled in, checked per
  // trigger type), or why not. `old`: the stored document a patch applies to.
  base::Result<boost::json::object> ValidateAutomation(const auth::Account& v,
                                                       boost::json::object doc,
                                                       const boost::json::object* old);
  base::Result<boost::json::object> ValidateTrigger(const auth::Account& v, boost::json::object doc,
                                                    const boost::json::object* old);
  struct TypeRule {
    const char* type;
    bool legacy_wrapper;  // legacyWrapper (default true)
    bool form_data;       // formData (default {}) and formId
    bool schema_and_jst;  // schema and jst (CheckSchemaAndJst)
    base::Status (TriggerService::*check)(boost::json::object& doc, const boost::json::object* old,
                                          int64_t now);
  };
  static const TypeRule kTypeRules[];
  base::Status CheckSchemaAndJst(const auth::Account& v, boost::json::object& doc);
  base::Status CheckEndpoint(boost::json::object& doc, const boost::json::object* old, int64_t now);
  base::Status CheckEventSystem(boost::json::object& doc, const boost::json::object* old,
                                int64_t now);
  base::Status CheckSchedule(boost::json::object& doc, const boost::json::object* old, int64_t now);
  base::Status PutLocked(const std::string& kind, const boost::json::object& doc);
  base::Status DeleteTriggerLocked(const std::string& id);
  // The automation a viewer may read; NotFound otherwise.
  base::Result<const boost::json::object*> ReadableAutomation(const auth::Account& v,
                                                              const std::string& id) const;
  base::Result<const boost::json::object*> ReadableTrigger(const auth::Account& v,
                                                           const std::string& id) const;
  // Whether `v` may change the triggers of the automation of trigger `t` (true when it is gone).
  bool CanChangeTriggerLocked(const auth::Account& v, const boost::json::object& t) const;
  // Builds the job of a trigger run by `runner` (REQUIRES: mu_ held). null: a schedule or an
  // event starts it as the system user, with the access of the automation's last writer.
  base::Result<TriggerJob> JobFor(const boost::json::object& trigger, boost::json::object variables,
                                  const auth::Account* runner) const;
  // An event trigger fires only for jobs that a member of its automation's groups may see.
  bool AutomationSeesJob(const boost::json::object& trigger, const Event& e) const;
  void StartAndRecord(TriggerJob job, const std::string& trigger_id, int depth, StartCallback done);
  std::vector<Due> CollectDue(int64_t now);
  base::Result<DocPage> ListOf(const auth::Account& v, const model::ListQuery& q, bool triggers);
  void SchedulerLoop();
  void EventLoop();
  void Enqueue(const Event& e);
  int64_t NextWakeMs(int64_t now) const;

  store::DocStore* docs_;
  base::Clock* clock_;
  TriggerServiceOptions opts_;
  JobLauncher* launcher_ = nullptr;

  mutable std::mutex mu_;                                   // guards the caches
  std::map<std::string, boost::json::object> automations_;  // by _id
  std::map<std::string, boost::json::object> triggers_;     // by _id
  // eventSystem triggers in triggers_: while 0, job events are dropped at once (no queueing,
  // no wake-up of the event worker), so a server without event triggers pays nothing for them.
  std::atomic<size_t> event_triggers_{0};
  void CountEventTriggersLocked();
  int64_t loaded_at_ = 0;
  // Cluster reloads (TriggerServiceOptions::reload_ms): when the last one was, and the scheduled
  // starts not answered yet (a reload then could bring back a due time already fired).
  int64_t reloaded_at_ = 0;
  std::atomic<int> schedules_in_flight_{0};
  // Reads the store again without moving loaded_at_ (the missed-runs boundary).
  base::Status Reload();

  SchemaCache schemas_;  // the compiled `schema` of endpoint and event triggers

  std::mutex origin_mu_;
  std::map<std::string, Origin> origins_;  // job id -> the event trigger that started it

  std::mutex run_mu_;  // guards stop_, the event queue
  std::condition_variable run_cv_;
  bool stop_ = false;
  bool started_ = false;
  std::deque<Event> events_;
  std::thread scheduler_;
  std::thread event_worker_;
  EventBus* bus_ = nullptr;
  uint64_t sub_id_ = 0;
};

}  // namespace opsflow::automation
