// The store contract, part 1: commit, read-your-writes, the point reads, EditJobLists, the
// document store, recovery after reopen and migrations. Lists: store_contract_lists.cc.
#include "store/testing/store_contract.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "base/ids.h"

namespace opsflow::store::testing {

void StoreContractTest::SetUp() {
  auto loc = factory().NewLocation();
  ASSERT_TRUE(loc.ok()) << loc.status().message();
  location_ = *loc;
  OpenAgain();
}

void StoreContractTest::TearDown() {
  handle_.Close();
  if (!location_.empty()) factory().Destroy(location_);
}

void StoreContractTest::OpenAgain() {
  auto h = factory().Open(location_);
  ASSERT_TRUE(h.ok()) << h.status().message();
  handle_ = std::move(h).value();
  ASSERT_NE(handle_.jobs, nullptr);
  ASSERT_NE(handle_.docs, nullptr);
}

void StoreContractTest::Reopen() {
  handle_.Close();
  OpenAgain();
}

model::JobRecord StoreContractTest::Job(const std::string& name, const std::string& status,
                                        int64_t start_offset) {
  model::JobRecord r;
  r.id = base::NewObjectId();
  r.workflow_name = name;
  r.workflow_version = "v1";
  r.status = status;
  r.description = name + " job";
  r.created_by = "admin";
  r.created_ms = r.start_ms = kT0 + start_offset;
  r.last_updated_ms = r.created_ms + 1;
  const bool ended = status == "complete" || status == "canceled" || status == "error";
  if (ended) r.end_ms = r.created_ms + 100;
  r.progress = status == "complete" ? 1.0 : 0.5;
  r.variables_json = R"({"x":1})";
  r.state = "state-" + status;
  r.ancestors_json = "[\"" + r.id + "\"]";
  return r;
}

model::IterationRecord StoreContractTest::Iteration(const std::string& job_id, uint32_t seq,
                                                    const std::string& task,
                                                    const std::string& status) {
  model::IterationRecord it;
  it.id = base::IterationUuid(job_id, seq);
  it.job_id = job_id;
  it.task_id = task;
  it.iteration = 0;
  it.method = task == "workflow_start" ? "workflow_start" : "newVariable";
  it.status = status;
  it.finish_state = status == "complete" ? "success" : "";
  it.start_ms = kT0 + seq;
  if (status != "running") it.end_ms = kT0 + seq + 1;
  it.incoming_json = R"({"name":"n","value":)" + std::to_string(seq) + "}";
  it.outgoing_json = status == "complete" ? R"({"value":1})" : "{}";
  return it;
}

std::string StoreContractTest::ParentJson(const std::string& parent_id, int element) {
  return R"({"job":")" + parent_id + R"(","task":"cj","iteration":")" +
         base::IterationUuid(parent_id, 1) + R"(","element":)" + std::to_string(element) + "}";
}

WriteBatch StoreContractTest::JobsBatch(std::vector<model::JobRecord> jobs) {
  WriteBatch b;
  b.versions.push_back({"v1", R"({"name":"w"})"});
  b.new_jobs = std::move(jobs);
  return b;
}

void StoreContractTest::MustCommit(const WriteBatch& b) {
  base::Status st = jobs().Commit(b);
  ASSERT_TRUE(st.ok()) << st.message();
}

model::ListQuery StoreContractTest::Query(
    const std::vector<std::pair<std::string, std::string>>& params) {
  model::ListQueryOptions opts;
  opts.max_limit = 1000;
  opts.default_limit = 1000;
  auto q = model::ParseListQuery(params, opts);
  EXPECT_TRUE(q.ok()) << q.status().message();
  return q.ok() ? *q : model::ListQuery{};
}

namespace {

// The ids of a list page; the store must evaluate every filter itself.
template <typename Page>
std::vector<std::string> IdsOf(const base::Result<Page>& page,
                               const std::vector<model::Expr>& residual, int64_t* total) {
  EXPECT_TRUE(page.ok()) << page.status().message();
  EXPECT_TRUE(residual.empty()) << "the store left " << residual.size() << " filter(s)";
  std::vector<std::string> ids;
  if (!page.ok()) return ids;
  for (const auto& r : page->items) ids.push_back(r.id);
  if (total) *total = page->total;
  return ids;
}

}  // namespace

std::vector<std::string> StoreContractTest::JobIds(const model::ListQuery& q, int64_t* total) {
  std::vector<model::Expr> residual;
  auto page = jobs().ListJobs(q, &residual);
  return IdsOf(page, residual, total);
}

std::vector<std::string> StoreContractTest::IterationIds(const model::ListQuery& q,
                                                         int64_t* total) {
  std::vector<model::Expr> residual;
  auto page = jobs().ListIterations(q, &residual);
  return IdsOf(page, residual, total);
}

void ExpectSameJob(const model::JobRecord& want, const model::JobRecord& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.workflow_name, got.workflow_name) << want.id;
  EXPECT_EQ(want.workflow_version, got.workflow_version) << want.id;
  EXPECT_EQ(want.status, got.status) << want.id;
  EXPECT_EQ(want.description, got.description) << want.id;
  EXPECT_EQ(want.type, got.type) << want.id;
  EXPECT_EQ(want.created_by, got.created_by) << want.id;
  EXPECT_EQ(want.created_ms, got.created_ms) << want.id;
  EXPECT_EQ(want.last_updated_ms, got.last_updated_ms) << want.id;
  EXPECT_EQ(want.start_ms, got.start_ms) << want.id;
  EXPECT_EQ(want.end_ms, got.end_ms) << want.id;
  EXPECT_DOUBLE_EQ(want.progress, got.progress) << want.id;
  EXPECT_EQ(want.groups_json, got.groups_json) << want.id;
  EXPECT_EQ(want.variables_json, got.variables_json) << want.id;
  EXPECT_EQ(want.errors_json, got.errors_json) << want.id;
  EXPECT_EQ(want.state, got.state) << want.id;
  EXPECT_EQ(want.parent_json, got.parent_json) << want.id;
  EXPECT_EQ(want.ancestors_json, got.ancestors_json) << want.id;
  EXPECT_EQ(want.watchers_json, got.watchers_json) << want.id;
}

void ExpectSameIteration(const model::IterationRecord& want, const model::IterationRecord& got) {
  EXPECT_EQ(want.id, got.id);
  EXPECT_EQ(want.job_id, got.job_id) << want.id;
  EXPECT_EQ(want.task_id, got.task_id) << want.id;
  EXPECT_EQ(want.iteration, got.iteration) << want.id;
  EXPECT_EQ(want.method, got.method) << want.id;
  EXPECT_EQ(want.status, got.status) << want.id;
  EXPECT_EQ(want.finish_state, got.finish_state) << want.id;
  EXPECT_EQ(want.start_ms, got.start_ms) << want.id;
  EXPECT_EQ(want.end_ms, got.end_ms) << want.id;
  EXPECT_EQ(want.incoming_json, got.incoming_json) << want.id;
  EXPECT_EQ(want.outgoing_json, got.outgoing_json) << want.id;
  EXPECT_EQ(want.error, got.error) << want.id;
}

namespace {

std::vector<std::string> SortedIds(const std::vector<model::JobRecord>& jobs) {
  std::vector<std::string> ids;
  for (const auto& j : jobs) ids.push_back(j.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

// ---- Commit and the point reads ----

TEST_P(StoreContractTest, CommitStoresEveryJobField) {
  model::JobRecord a = Job("alpha", "running");
  a.end_ms = 0;  // not ended: reads back as 0
  a.type = "operation";
  a.groups_json = R"(["g1","g2"])";
  a.errors_json = R"([{"task":"t","message":"m","timestamp":1}])";
  a.watchers_json = R"(["u1"])";
  a.description = "with \"quotes\", unicode \xc3\xa9 and\nnewline";
  model::JobRecord b = Job("beta", "complete", 10);
  b.parent_json = ParentJson(a.id, 0);
  b.ancestors_json = "[\"" + a.id + "\",\"" + b.id + "\"]";
  MustCommit(JobsBatch({a, b}));
  for (const auto& want : {a, b}) {
    auto got = jobs().GetJob(want.id);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ExpectSameJob(want, *got);
  }
  auto missing = jobs().GetJob(base::NewObjectId());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
}

TEST_P(StoreContractTest, WorkflowVersionsAreInsertedOnce) {
  WriteBatch b;
  b.versions.push_back({"v1", R"({"name":"first"})"});
  MustCommit(b);
  b.versions[0].doc_json = R"({"name":"second"})";  // same version: the first stays
  b.versions.push_back({"v2", R"({"name":"other"})"});
  MustCommit(b);
  auto v1 = jobs().GetWorkflowVersion("v1");
  ASSERT_TRUE(v1.ok()) << v1.status().message();
  EXPECT_EQ(*v1, R"({"name":"first"})");
  auto v2 = jobs().GetWorkflowVersion("v2");
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(*v2, R"({"name":"other"})");
  auto missing = jobs().GetWorkflowVersion("nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
}

TEST_P(StoreContractTest, EmptyBatchCommits) { MustCommit(WriteBatch{}); }

TEST_P(StoreContractTest, JobUpdateWritesTheMovingFieldsAndKeepsUnsetOnes) {
  model::JobRecord a = Job("alpha", "running");
  a.end_ms = 0;
  model::JobRecord b = Job("beta", "running");
  b.end_ms = 0;
  MustCommit(JobsBatch({a, b}));

  WriteBatch w;
  JobUpdate ua;
  ua.id = a.id;
  ua.status = "complete";
  ua.state = "state-done";
  ua.progress = 1;
  ua.last_updated_ms = kT0 + 500;
  ua.end_ms = kT0 + 500;
  ua.variables_json = R"({"x":2})";
  ua.errors_json = R"([{"task":"t"}])";
  ua.description = "new description";
  // The second update in the same batch sets none of the optional fields: it must not inherit
  // the first one's.
  JobUpdate ub;
  ub.id = b.id;
  ub.status = "paused";
  ub.state = "state-paused";
  ub.progress = 0.25;
  ub.last_updated_ms = kT0 + 600;
  w.job_updates = {ua, ub};
  MustCommit(w);

  auto got_a = jobs().GetJob(a.id);
  ASSERT_TRUE(got_a.ok());
  EXPECT_EQ(got_a->status, "complete");
  EXPECT_EQ(got_a->state, "state-done");
  EXPECT_DOUBLE_EQ(got_a->progress, 1);
  EXPECT_EQ(got_a->last_updated_ms, kT0 + 500);
  EXPECT_EQ(got_a->end_ms, kT0 + 500);
  EXPECT_EQ(got_a->variables_json, R"({"x":2})");
  EXPECT_EQ(got_a->errors_json, R"([{"task":"t"}])");
  EXPECT_EQ(got_a->description, "new description");
  EXPECT_EQ(got_a->workflow_name, "alpha");  // untouched columns stay
  EXPECT_EQ(got_a->created_ms, a.created_ms);

  auto got_b = jobs().GetJob(b.id);
  ASSERT_TRUE(got_b.ok());
  EXPECT_EQ(got_b->status, "paused");
  EXPECT_EQ(got_b->state, "state-paused");
  EXPECT_DOUBLE_EQ(got_b->progress, 0.25);
  EXPECT_EQ(got_b->last_updated_ms, kT0 + 600);
  EXPECT_EQ(got_b->end_ms, 0);
  EXPECT_EQ(got_b->variables_json, b.variables_json);
  EXPECT_EQ(got_b->errors_json, b.errors_json);
  EXPECT_EQ(got_b->description, b.description);

  // end_ms 0 in an update leaves the stored end time (a retried job keeps it until it ends
  // again).
  JobUpdate again = ua;
  again.status = "running";
  again.end_ms = 0;
  again.variables_json.reset();
  again.errors_json.reset();
  again.description.reset();
  WriteBatch w2;
  w2.job_updates = {again};
  MustCommit(w2);
  got_a = jobs().GetJob(a.id);
  ASSERT_TRUE(got_a.ok());
  EXPECT_EQ(got_a->status, "running");
  EXPECT_EQ(got_a->end_ms, kT0 + 500);
  EXPECT_EQ(got_a->variables_json, R"({"x":2})");
}

TEST_P(StoreContractTest, LaterRowsOfABatchSeeEarlierOnes) {
  // A batch creates a job and updates it: applied in order.
  model::JobRecord a = Job("alpha", "running");
  a.end_ms = 0;
  WriteBatch w = JobsBatch({a});
  JobUpdate u;
  u.id = a.id;
  u.status = "complete";
  u.state = "done";
  u.progress = 1;
  u.last_updated_ms = kT0 + 9;
  u.end_ms = kT0 + 9;
  w.job_updates.push_back(u);
  w.iterations.push_back(Iteration(a.id, 0, "t1", "running"));
  model::IterationRecord done = Iteration(a.id, 0, "t1", "complete");
  w.iterations.push_back(done);
  MustCommit(w);
  auto got = jobs().GetJob(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, "complete");
  auto its = jobs().IterationsOfJob(a.id);
  ASSERT_TRUE(its.ok());
  ASSERT_EQ(its->size(), 1u);
  ExpectSameIteration(done, (*its)[0]);
}

TEST_P(StoreContractTest, IterationsAreUpsertedById) {
  model::JobRecord a = Job("alpha", "running");
  model::JobRecord other = Job("beta", "running");
  WriteBatch w = JobsBatch({a, other});
  model::IterationRecord start = Iteration(a.id, 0, "workflow_start", "complete");
  model::IterationRecord t1 = Iteration(a.id, 1, "t1", "running");
  model::IterationRecord t1_again = Iteration(a.id, 2, "t1", "running");
  t1_again.iteration = 1;
  model::IterationRecord foreign = Iteration(other.id, 0, "workflow_start", "complete");
  w.iterations = {t1_again, start, foreign, t1};  // any order: read back by id
  MustCommit(w);

  model::IterationRecord t1_done = t1;
  t1_done.status = "error";
  t1_done.finish_state = "error";
  t1_done.end_ms = kT0 + 50;
  t1_done.outgoing_json = R"({"value":"x"})";
  t1_done.error = "it failed";
  WriteBatch w2;
  w2.iterations = {t1_done};
  MustCommit(w2);

  auto its = jobs().IterationsOfJob(a.id);
  ASSERT_TRUE(its.ok()) << its.status().message();
  ASSERT_EQ(its->size(), 3u);  // only this job's, in id (sequence) order
  ExpectSameIteration(start, (*its)[0]);
  ExpectSameIteration(t1_done, (*its)[1]);
  ExpectSameIteration(t1_again, (*its)[2]);
  auto one = jobs().GetIteration(t1.id);
  ASSERT_TRUE(one.ok());
  ExpectSameIteration(t1_done, *one);
  auto none = jobs().IterationsOfJob(base::NewObjectId());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  auto missing = jobs().GetIteration(base::IterationUuid(base::NewObjectId(), 0));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
}

TEST_P(StoreContractTest, CanceledIterationsEndOnlyRunningOnes) {
  model::JobRecord a = Job("alpha", "running");
  WriteBatch w = JobsBatch({a});
  model::IterationRecord running = Iteration(a.id, 0, "t1", "running");
  model::IterationRecord done = Iteration(a.id, 1, "t2", "complete");
  w.iterations = {running, done};
  MustCommit(w);
  WriteBatch c;
  c.canceled_iterations = {{running.id, kT0 + 77},
                           {done.id, kT0 + 78},
                           {base::IterationUuid(a.id, 9), kT0 + 79}};  // unknown: ignored
  MustCommit(c);
  auto its = jobs().IterationsOfJob(a.id);
  ASSERT_TRUE(its.ok());
  ASSERT_EQ(its->size(), 2u);
  EXPECT_EQ((*its)[0].status, "canceled");
  EXPECT_EQ((*its)[0].end_ms, kT0 + 77);
  EXPECT_EQ((*its)[0].incoming_json, running.incoming_json);
  ExpectSameIteration(done, (*its)[1]);
}

TEST_P(StoreContractTest, DocPutsCommitWithTheBatch) {
  model::JobRecord a = Job("alpha", "running");
  WriteBatch w = JobsBatch({a});
  w.doc_puts.push_back({"trigger", "t1", R"({"next":1})"});
  w.doc_puts.push_back({"trigger", "t1", R"({"next":2})"});  // in order: the last one wins
  w.doc_puts.push_back({"workflow", "t1", R"({"name":"t1"})"});
  MustCommit(w);
  auto t = docs().Get("trigger", "t1");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(*t, R"({"next":2})");
  auto wf = docs().Get("workflow", "t1");
  ASSERT_TRUE(wf.ok());
  EXPECT_EQ(*wf, R"({"name":"t1"})");
}

TEST_P(StoreContractTest, AFailedCommitWritesNothingAndTheStoreGoesOn) {
  model::JobRecord existing = Job("alpha", "running");
  MustCommit(JobsBatch({existing}));

  // A batch whose second new job collides with a stored one fails as a whole.
  WriteBatch bad;
  bad.versions.push_back({"v-bad", "{}"});
  model::JobRecord fresh = Job("beta", "running");
  bad.new_jobs = {fresh, existing};
  JobUpdate u;
  u.id = existing.id;
  u.status = "complete";
  u.state = "x";
  u.last_updated_ms = kT0 + 1;
  bad.job_updates = {u};
  bad.iterations = {Iteration(fresh.id, 0, "workflow_start", "complete")};
  bad.doc_puts = {{"trigger", "bad", "{}"}};
  EXPECT_FALSE(jobs().Commit(bad).ok());

  EXPECT_EQ(jobs().GetWorkflowVersion("v-bad").status().code(), base::Code::kNotFound);
  EXPECT_EQ(jobs().GetJob(fresh.id).status().code(), base::Code::kNotFound);
  auto still = jobs().GetJob(existing.id);
  ASSERT_TRUE(still.ok());
  EXPECT_EQ(still->status, "running");
  auto its = jobs().IterationsOfJob(fresh.id);
  ASSERT_TRUE(its.ok());
  EXPECT_TRUE(its->empty());
  EXPECT_EQ(docs().Get("trigger", "bad").status().code(), base::Code::kNotFound);
  int64_t total = -1;
  JobIds(Query({}), &total);
  EXPECT_EQ(total, 1);

  // The next commit works.
  model::JobRecord next = Job("gamma", "running");
  MustCommit(JobsBatch({next}));
  EXPECT_TRUE(jobs().GetJob(next.id).ok());
  JobIds(Query({}), &total);
  EXPECT_EQ(total, 2);
}

TEST_P(StoreContractTest, ReadYourWritesFromAnyThread) {
  // Once Commit returns, every read, from any thread, sees the batch.
  for (int round = 0; round < 20; ++round) {
    model::JobRecord a = Job("ryw", "running");
    a.end_ms = 0;
    WriteBatch w = JobsBatch({a});
    w.iterations = {Iteration(a.id, 0, "workflow_start", "complete")};
    w.doc_puts = {{"trigger", "ryw", std::to_string(round)}};
    MustCommit(w);
    std::thread reader([&] {
      auto job = jobs().GetJob(a.id);
      ASSERT_TRUE(job.ok()) << job.status().message();
      auto its = jobs().IterationsOfJob(a.id);
      ASSERT_TRUE(its.ok());
      EXPECT_EQ(its->size(), 1u);
      auto doc = docs().Get("trigger", "ryw");
      ASSERT_TRUE(doc.ok());
      EXPECT_EQ(*doc, std::to_string(round));
      int64_t total = -1;
      JobIds(Query({{"equals[name]", "ryw"}}), &total);
      EXPECT_EQ(total, round + 1);
      JobIds(Query({{"equals[status]", "running"}, {"equals[name]", "ryw"}}), &total);
      EXPECT_EQ(total, 1);
    });
    reader.join();
    JobUpdate u;
    u.id = a.id;
    u.status = "complete";
    u.state = "done";
    u.last_updated_ms = kT0 + round;
    u.end_ms = kT0 + round;
    WriteBatch w2;
    w2.job_updates = {u};
    MustCommit(w2);
    auto job = jobs().GetJob(a.id);
    ASSERT_TRUE(job.ok());
    EXPECT_EQ(job->status, "complete");
    int64_t running = -1;
    JobIds(Query({{"equals[status]", "running"}}), &running);
    EXPECT_EQ(running, 0);
  }
}

TEST_P(StoreContractTest, CommitsFromManyThreadsAllLand) {
  constexpr int kThreads = 4, kPerThread = 25;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        model::JobRecord r = Job("w" + std::to_string(t), "running");
        ids[t].push_back(r.id);
        WriteBatch w = JobsBatch({r});
        w.iterations = {Iteration(r.id, 0, "workflow_start", "complete")};
        base::Status st = jobs().Commit(w);
        EXPECT_TRUE(st.ok()) << st.message();
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& v : ids) {
    for (const auto& id : v) EXPECT_TRUE(jobs().GetJob(id).ok()) << id;
  }
  int64_t total = -1;
  JobIds(Query({{"limit", "0"}}), &total);
  EXPECT_EQ(total, kThreads * kPerThread);
  JobIds(Query({{"equals[name]", "w2"}, {"limit", "0"}}), &total);
  EXPECT_EQ(total, kPerThread);
}

TEST_P(StoreContractTest, LoadActiveJobsReturnsRunningPausedAndError) {
  std::vector<model::JobRecord> all;
  std::vector<model::JobRecord> active;
  for (const char* s : {"running", "paused", "error", "complete", "canceled", "running"}) {
    all.push_back(Job("w", s));
    if (std::string(s) == "running" || std::string(s) == "paused" || std::string(s) == "error") {
      active.push_back(all.back());
    }
  }
  MustCommit(JobsBatch(all));
  auto got = jobs().LoadActiveJobs();
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(SortedIds(*got), SortedIds(active));
  for (const auto& r : *got) {
    auto want = std::find_if(all.begin(), all.end(), [&](const auto& a) { return a.id == r.id; });
    ASSERT_NE(want, all.end());
    ExpectSameJob(*want, r);  // whole records, state included: recovery needs them
  }
  // A job that ends leaves the set.
  JobUpdate u;
  u.id = active[0].id;
  u.status = "complete";
  u.state = "done";
  u.last_updated_ms = kT0 + 5;
  u.end_ms = kT0 + 5;
  WriteBatch w;
  w.job_updates = {u};
  MustCommit(w);
  got = jobs().LoadActiveJobs();
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->size(), active.size() - 1);
}

TEST_P(StoreContractTest, ChildJobsByParentOldestFirst) {
  model::JobRecord parent = Job("parent", "running");
  model::JobRecord other = Job("parent", "running");
  std::vector<model::JobRecord> batch = {parent, other};
  std::vector<std::string> kids;
  for (int i = 0; i < 3; ++i) {
    model::JobRecord c = Job("child", i == 1 ? "complete" : "running");
    c.parent_json = ParentJson(parent.id, i);
    kids.push_back(c.id);
    batch.push_back(c);
  }
  model::JobRecord stranger = Job("child", "running");
  stranger.parent_json = ParentJson(other.id, 0);
  batch.push_back(stranger);
  MustCommit(JobsBatch(batch));
  auto got = jobs().ChildJobs(parent.id);
  ASSERT_TRUE(got.ok()) << got.status().message();
  std::vector<std::string> got_ids;
  for (const auto& r : *got) got_ids.push_back(r.id);
  EXPECT_EQ(got_ids, kids);
  auto none = jobs().ChildJobs(stranger.id);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  // Children committed later come after.
  model::JobRecord late = Job("child", "running");
  late.parent_json = ParentJson(parent.id, 3);
  MustCommit(JobsBatch({late}));
  got = jobs().ChildJobs(parent.id);
  ASSERT_TRUE(got.ok());
  ASSERT_EQ(got->size(), 4u);
  EXPECT_EQ(got->back().id, late.id);
  ExpectSameJob(late, got->back());
}

TEST_P(StoreContractTest, EditJobListsWritesOnlyWatchersAndGroups) {
  model::JobRecord a = Job("alpha", "running");
  MustCommit(JobsBatch({a}));
  auto edited = jobs().EditJobLists(a.id, [&](model::JobRecord* r) {
    EXPECT_EQ(r->id, a.id);
    EXPECT_EQ(r->watchers_json, "[]");
    r->watchers_json = R"(["u1"])";
    r->groups_json = R"(["g9"])";
    r->status = "complete";  // not one of the two lists: not written
    r->description = "changed";
    return base::Status::Ok();
  });
  ASSERT_TRUE(edited.ok()) << edited.status().message();
  EXPECT_EQ(edited->watchers_json, R"(["u1"])");
  auto got = jobs().GetJob(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->watchers_json, R"(["u1"])");
  EXPECT_EQ(got->groups_json, R"(["g9"])");
  EXPECT_EQ(got->status, "running");
  EXPECT_EQ(got->description, a.description);
  // visible_groups follows the edit.
  auto q = Query({});
  q.visible_groups = std::vector<std::string>{"g9"};
  EXPECT_EQ(JobIds(q).size(), 1u);
  q.visible_groups = std::vector<std::string>{"g1"};
  EXPECT_TRUE(JobIds(q).empty());

  // The edit's error aborts without writing.
  auto refused = jobs().EditJobLists(a.id, [](model::JobRecord* r) {
    r->watchers_json = R"(["nobody"])";
    return base::PermissionDenied("no");
  });
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), base::Code::kPermissionDenied);
  got = jobs().GetJob(a.id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->watchers_json, R"(["u1"])");

  bool called = false;
  auto missing = jobs().EditJobLists(base::NewObjectId(), [&](model::JobRecord*) {
    called = true;
    return base::Status::Ok();
  });
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), base::Code::kNotFound);
  EXPECT_FALSE(called);
}

// ---- The document store ----

TEST_P(StoreContractTest, DocumentsPutGetDeleteList) {
  ASSERT_TRUE(docs().Put("workflow", "b", R"({"name":"b"})").ok());
  ASSERT_TRUE(docs().Put("workflow", "a", R"({"name":"a"})").ok());
  ASSERT_TRUE(docs().Put("transformation", "a", R"({"_id":"a"})").ok());
  ASSERT_TRUE(docs().Put("workflow", "b", R"({"name":"b","v":2})").ok());  // replaces
  auto b = docs().Get("workflow", "b");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, R"({"name":"b","v":2})");
  auto list = docs().List("workflow");
  ASSERT_TRUE(list.ok()) << list.status().message();
  std::map<std::string, std::string> got;
  for (const auto& d : *list) got[d.key] = d.doc_json;
  EXPECT_EQ(got, (std::map<std::string, std::string>{{"a", R"({"name":"a"})"},
                                                     {"b", R"({"name":"b","v":2})"}}));
  auto tr = docs().List("transformation");
  ASSERT_TRUE(tr.ok());
  ASSERT_EQ(tr->size(), 1u);  // kinds do not mix
  auto empty = docs().List("account");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());

  ASSERT_TRUE(docs().Delete("workflow", "a").ok());
  EXPECT_EQ(docs().Get("workflow", "a").status().code(), base::Code::kNotFound);
  EXPECT_TRUE(docs().Get("transformation", "a").ok());
  EXPECT_EQ(docs().Delete("workflow", "a").code(), base::Code::kNotFound);
  EXPECT_EQ(docs().Get("nope", "x").status().code(), base::Code::kNotFound);
  // Large documents round-trip.
  std::string big(1 << 20, 'x');
  big = "\"" + big + "\"";
  ASSERT_TRUE(docs().Put("blob", "k", big).ok());
  auto got_big = docs().Get("blob", "k");
  ASSERT_TRUE(got_big.ok());
  EXPECT_EQ(got_big->size(), big.size());
}

// ---- Recovery after reopen ----

TEST_P(StoreContractTest, EverythingCommittedSurvivesReopen) {
  model::JobRecord a = Job("alpha", "running");
  a.end_ms = 0;
  a.groups_json = R"(["g1"])";
  model::JobRecord b = Job("beta", "complete", 5);
  b.parent_json = ParentJson(a.id, 0);
  WriteBatch w = JobsBatch({a, b});
  model::IterationRecord it = Iteration(a.id, 0, "workflow_start", "complete");
  model::IterationRecord run = Iteration(a.id, 1, "t1", "running");
  w.iterations = {it, run};
  w.doc_puts = {{"trigger", "t", "{}"}};
  MustCommit(w);
  ASSERT_TRUE(docs().Put("workflow", "alpha", R"({"name":"alpha"})").ok());
  JobUpdate u;
  u.id = a.id;
  u.status = "paused";
  u.state = "paused-state";
  u.progress = 0.5;
  u.last_updated_ms = kT0 + 99;
  u.variables_json = R"({"y":true})";
  WriteBatch w2;
  w2.job_updates = {u};
  MustCommit(w2);
  ASSERT_TRUE(jobs()
                  .EditJobLists(a.id,
                                [](model::JobRecord* r) {
                                  r->watchers_json = R"(["w"])";
                                  return base::Status::Ok();
                                })
                  .ok());

  for (int round = 0; round < 2; ++round) {
    Reopen();
    auto ga = jobs().GetJob(a.id);
    ASSERT_TRUE(ga.ok()) << ga.status().message();
    model::JobRecord want = a;
    want.status = "paused";
    want.state = "paused-state";
    want.progress = 0.5;
    want.last_updated_ms = kT0 + 99;
    want.variables_json = R"({"y":true})";
    want.watchers_json = R"(["w"])";
    ExpectSameJob(want, *ga);
    auto gb = jobs().GetJob(b.id);
    ASSERT_TRUE(gb.ok());
    ExpectSameJob(b, *gb);
    auto its = jobs().IterationsOfJob(a.id);
    ASSERT_TRUE(its.ok());
    ASSERT_EQ(its->size(), 2u);
    ExpectSameIteration(it, (*its)[0]);
    ExpectSameIteration(run, (*its)[1]);
    auto active = jobs().LoadActiveJobs();
    ASSERT_TRUE(active.ok());
    ASSERT_EQ(active->size(), 1u);
    EXPECT_EQ((*active)[0].id, a.id);
    auto kids = jobs().ChildJobs(a.id);
    ASSERT_TRUE(kids.ok());
    ASSERT_EQ(kids->size(), 1u);
    EXPECT_TRUE(jobs().GetWorkflowVersion("v1").ok());
    EXPECT_TRUE(docs().Get("trigger", "t").ok());
    EXPECT_TRUE(docs().Get("workflow", "alpha").ok());
    int64_t total = -1;
    JobIds(Query({{"equals[status]", "paused"}}), &total);
    EXPECT_EQ(total, 1);
    IterationIds(Query({{"equals[status]", "running"}}), &total);
    EXPECT_EQ(total, 1);
  }
}

// ---- Migrations ----

TEST_P(StoreContractTest, OpeningAgainIsIdempotent) {
  model::JobRecord a = Job("alpha", "complete");
  WriteBatch w = JobsBatch({a, Job("alpha", "running"), Job("beta", "complete")});
  w.iterations = {Iteration(a.id, 0, "workflow_start", "complete")};
  MustCommit(w);
  int64_t before = -1, before_its = -1;
  JobIds(Query({{"equals[status]", "complete"}}), &before);
  IterationIds(Query({{"equals[status]", "complete"}}), &before_its);
  // Two handles open on the same location at once, and the store opened over and over.
  auto second = factory().Open(location());
  ASSERT_TRUE(second.ok()) << second.status().message();
  second->Close();
  for (int i = 0; i < 3; ++i) Reopen();
  int64_t after = -1, after_its = -1;
  EXPECT_EQ(JobIds(Query({{"equals[status]", "complete"}}), &after).size(), 2u);
  EXPECT_EQ(after, before);
  IterationIds(Query({{"equals[status]", "complete"}}), &after_its);
  EXPECT_EQ(after_its, before_its);
  auto got = jobs().GetJob(a.id);
  ASSERT_TRUE(got.ok());
  ExpectSameJob(a, *got);
}

TEST_P(StoreContractTest, OpeningAFreshLocationFromManyThreadsAtOnceIsSafe) {
  // Several processes may start on one empty database together (the PostgreSQL store); here,
  // several handles: each creates or migrates the schema, or finds it done, and all work.
  auto loc = factory().NewLocation();
  ASSERT_TRUE(loc.ok());
  constexpr int kOpeners = 4;
  std::vector<StoreHandle> handles(kOpeners);
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      auto h = factory().Open(*loc);
      ASSERT_TRUE(h.ok()) << h.status().message();
      handles[i] = std::move(h).value();
    });
  }
  for (auto& t : threads) t.join();
  std::vector<std::string> ids;
  for (int i = 0; i < kOpeners; ++i) {
    if (!handles[i].jobs) continue;
    model::JobRecord r = Job("w", "running");
    ids.push_back(r.id);
    base::Status st = handles[i].jobs->Commit(JobsBatch({r}));
    EXPECT_TRUE(st.ok()) << st.message();
  }
  for (auto& h : handles) {
    if (!h.jobs) continue;
    for (const auto& id : ids) EXPECT_TRUE(h.jobs->GetJob(id).ok()) << id;
  }
  for (auto& h : handles) h.Close();
  factory().Destroy(*loc);
}

TEST_P(StoreContractTest, OpeningAnOlderSchemaUpgradesIt) {
  const int versions = factory().SchemaVersions();
  if (versions < 2) GTEST_SKIP() << "this store has one schema version";
  Close();
  for (int v = 1; v < versions; ++v) {
    SCOPED_TRACE("from schema version " + std::to_string(v));
    auto loc = factory().NewLocation();
    ASSERT_TRUE(loc.ok());
    model::JobRecord parent = Job("alpha", "running");
    parent.end_ms = 0;
    model::JobRecord child = Job("beta", "complete", 5);
    child.parent_json = ParentJson(parent.id, 0);
    model::JobRecord done = Job("alpha", "complete", 7);
    WriteBatch rows = JobsBatch({parent, child, done});
    model::IterationRecord it = Iteration(parent.id, 0, "workflow_start", "complete");
    rows.iterations = {it};
    rows.doc_puts = {{"workflow", "alpha", R"({"name":"alpha"})"}};
    base::Status made = factory().CreateAtVersion(*loc, v, rows);
    ASSERT_TRUE(made.ok()) << made.message();
    auto h = factory().Open(*loc);
    ASSERT_TRUE(h.ok()) << h.status().message();
    handle_ = std::move(h).value();

    auto got = jobs().GetJob(child.id);
    ASSERT_TRUE(got.ok()) << got.status().message();
    ExpectSameJob(child, *got);
    auto kids = jobs().ChildJobs(parent.id);
    ASSERT_TRUE(kids.ok());
    ASSERT_EQ(kids->size(), 1u);
    auto its = jobs().IterationsOfJob(parent.id);
    ASSERT_TRUE(its.ok());
    ASSERT_EQ(its->size(), 1u);
    ExpectSameIteration(it, (*its)[0]);
    EXPECT_TRUE(docs().Get("workflow", "alpha").ok());
    int64_t total = -1;
    // Totals count the rows written before the upgrade...
    JobIds(Query({{"equals[status]", "complete"}}), &total);
    EXPECT_EQ(total, 2);
    JobIds(Query({{"equals[status]", "complete"}, {"equals[name]", "alpha"}}), &total);
    EXPECT_EQ(total, 1);
    IterationIds(Query({{"equals[status]", "complete"}}), &total);
    EXPECT_EQ(total, 1);
    // ... and the ones after.
    JobUpdate u;
    u.id = parent.id;
    u.status = "complete";
    u.state = "done";
    u.last_updated_ms = kT0 + 9;
    u.end_ms = kT0 + 9;
    WriteBatch w = JobsBatch({Job("alpha", "complete", 9)});
    w.job_updates = {u};
    MustCommit(w);
    JobIds(Query({{"equals[status]", "complete"}}), &total);
    EXPECT_EQ(total, 4);
    JobIds(Query({{"equals[status]", "running"}}), &total);
    EXPECT_EQ(total, 0);
    handle_.Close();
    // Opening the upgraded store again changes nothing.
    h = factory().Open(*loc);
    ASSERT_TRUE(h.ok()) << h.status().message();
    handle_ = std::move(h).value();
    JobIds(Query({{"equals[status]", "complete"}}), &total);
    EXPECT_EQ(total, 4);
    handle_.Close();
    factory().Destroy(*loc);
  }
  OpenAgain();
}

TEST_P(StoreContractTest, ANewerSchemaIsRefused) {
  if (!factory().CanMarkNewerSchema()) GTEST_SKIP() << "cannot mark a newer schema";
  MustCommit(JobsBatch({Job("alpha", "running")}));
  Close();
  base::Status marked = factory().MarkNewerSchema(location());
  ASSERT_TRUE(marked.ok()) << marked.message();
  auto h = factory().Open(location());
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.status().code(), base::Code::kFailedPrecondition) << h.status().message();
}

}  // namespace opsflow::store::testing
