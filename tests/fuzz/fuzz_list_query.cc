// Fuzz target: list queries end to end below the HTTP layer: the URL query string is decoded
// by http::ParseTarget, parsed by model::ParseListQuery (src/model/query.h), evaluated in memory
// (MatchesAll, SortKey, Compare, Project) and translated to SQL and run by the SQLite store
// (ListJobs, ListIterations on a small store in a temp dir).
//
// Input: a URL query string without the '?', e.g. `in[status]=error&in[status]=paused&limit=5`
// (percent-encoding as a client sends it; an input ParseTarget refuses is split raw on & and =).
// Oracles: no crash or sanitizer report; Compare is a consistent order on the sort keys; the
// store answers every accepted query (an SQL error from a translated query is a bug).
#include <algorithm>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.h"
#include "fuzz_docs.h"
#include "http/request_convert.h"
#include "model/query.h"
#include "sqlite/sqlite_store.h"

namespace {

namespace bj = boost::json;
namespace model = opsflow::model;
using opsflow::fuzz::Check;
using Params = std::vector<std::pair<std::string, std::string>>;

Params SplitRaw(std::string_view text) {
  Params out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t amp = text.find('&', pos);
    std::string_view part = text.substr(pos, amp == std::string_view::npos ? amp : amp - pos);
    size_t eq = part.find('=');
    std::string value = eq == std::string_view::npos ? "" : std::string(part.substr(eq + 1));
    out.emplace_back(std::string(part.substr(0, eq)), std::move(value));
    if (amp == std::string_view::npos) break;
    pos = amp + 1;
  }
  return out;
}

int Sign(int c) { return (c > 0) - (c < 0); }

// A store with a few jobs and iterations, opened once per process in a fresh state directory
// (fuzz_common.h NewStateDir; scripts/fuzz removes it afterwards).
opsflow::sqlite::SqliteStore* Store() {
  static opsflow::sqlite::SqliteStore* store = [] {
    std::string dir = opsflow::fuzz::NewStateDir("list-query");
    auto s = opsflow::sqlite::SqliteStore::Open(dir);
    if (!s.ok()) opsflow::fuzz::Fail("cannot open the store", s.status().message());
    opsflow::store::WriteBatch b;
    b.versions.push_back({"v1", R"({"name":"wf","tasks":{}})"});
    const char* statuses[] = {"running", "complete", "error", "canceled", "paused"};
    for (int i = 0; i < 5; ++i) {
      model::JobRecord j;
      j.id = "65a1b2c3d4e5f60718293a4" + std::to_string(i);
      j.workflow_name = i % 2 ? "Create VPC - AWS" : "Delete Subnets";
      j.workflow_version = "v1";
      j.status = statuses[i];
      j.description = i == 3 ? "" : "job " + std::to_string(i);
      j.created_by = "admin";
      j.created_ms = 1705053600000 + i * 1000;
      j.last_updated_ms = j.created_ms + 500;
      j.start_ms = j.created_ms;
      j.end_ms = i == 1 ? j.created_ms + 900 : 0;
      j.progress = i * 0.25;
      b.new_jobs.push_back(j);
      model::IterationRecord it;
      it.id = "0b9c7f1e-1111-4c2b-9d3e-12345678900" + std::to_string(i);
      it.job_id = j.id;
      it.task_id = i == 0 ? "workflow_start" : "1a2b";
      it.iteration = i;
      it.method = "query";
      it.status = statuses[i % 4];
      it.finish_state = "success";
      it.start_ms = j.created_ms;
      it.end_ms = j.created_ms + 10;
      b.iterations.push_back(it);
    }
    if (auto st = (*s)->Commit(b); !st.ok()) opsflow::fuzz::Fail("seed commit", st.message());
    return s->release();
  }();
  return store;
}

void CheckOrder(const std::vector<const bj::value*>& keys) {
  for (const bj::value* a : keys) {
    Check(model::Compare(a, a) == 0, "Compare(a, a) != 0");
    for (const bj::value* b : keys) {
      int ab = Sign(model::Compare(a, b));
      Check(ab == -Sign(model::Compare(b, a)), "Compare is not antisymmetric");
      for (const bj::value* c : keys) {
        if (ab <= 0 && Sign(model::Compare(b, c)) <= 0) {
          Check(Sign(model::Compare(a, c)) <= 0, "Compare is not transitive");
        }
      }
    }
  }
}

void Exercise(const Params& params, const model::ListQueryOptions& opts) {
  auto q = model::ParseListQuery(params, opts);
  if (!q.ok()) {
    Check(q.status().code() == opsflow::base::Code::kInvalidArgument,
          "ParseListQuery failed with a code other than InvalidArgument", q.status().ToString());
    return;
  }
  Check(q->limit >= 0 && q->limit <= opts.max_limit && q->skip >= 0,
        "ParseListQuery accepted an out-of-range limit or skip");
  const auto& docs = opsflow::fuzz::SampleDocs();
  std::vector<const bj::value*> keys;
  for (const auto& doc : docs) {
    (void)model::MatchesAll(*q, doc);
    keys.push_back(model::SortKey(doc, q->sort));
    (void)model::Project(doc, q->include, q->exclude);
  }
  CheckOrder(keys);
  std::stable_sort(keys.begin(), keys.end(), [&](const bj::value* a, const bj::value* b) {
    return model::Compare(a, b) * q->order < 0;
  });

  std::vector<model::Expr> residual;
  auto jobs = Store()->ListJobs(*q, &residual);
  Check(jobs.ok(), "SqliteStore::ListJobs failed on a parsed query", jobs.status().ToString());
  Check(jobs->total >= 0 && jobs->items.size() <= 5, "ListJobs returned an odd page");
  residual.clear();
  auto its = Store()->ListIterations(*q, &residual);
  Check(its.ok(), "SqliteStore::ListIterations failed on a parsed query", its.status().ToString());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text = opsflow::fuzz::AsText(data, size);
  Params params;
  std::string path;
  if (!opsflow::http::ParseTarget("/operations-manager/jobs?" + std::string(text), &path, &params)
           .ok()) {
    params = SplitRaw(text);
  }
  Exercise(params, model::ListQueryOptions{});
  model::ListQueryOptions automations;
  automations.default_limit = 10;
  automations.max_limit = 100;
  automations.default_sort = "name";
  automations.allow_equals_field = true;
  Exercise(params, automations);
  return 0;
}
