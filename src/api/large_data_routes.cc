// GET /operations-manager/large-data/:id (IAP-REFERENCE §11, OperationsManager exportLargeData):
// a job variable or a task's incoming or outgoing value too large to inline in a document
// (large_data.h). The caller must see the job (else 404 as for an unknown job or task, as
// GET /jobs/:id and /tasks/:id answer); the answer is the value, bare, streamed in chunks
// (chunked transfer encoding) as it is serialized.
#include <boost/json.hpp>

#include "api/access_checks.h"
#include "api/large_data.h"
#include "api/state.h"
#include "auth/access.h"
#include "model/iteration_doc.h"

namespace opsflow::api {

namespace {

constexpr size_t kChunkBytes = 64 * 1024;

// Answers `value` as a JSON body streamed in kChunkBytes pieces.
void StreamValue(Call& c, const bj::value& value) {
  Stream::Options so;
  bj::serializer sr;
  sr.reset(&value);
  std::vector<std::string> chunks;
  size_t total = 0;
  std::string buf(kChunkBytes, '\0');
  while (!sr.done()) {
    std::string_view piece = sr.read(buf.data(), buf.size());
    chunks.emplace_back(piece);
    total += piece.size();
  }
  so.max_queued_bytes = total + 1;  // everything it serialized fits: it never overflows
  auto stream = std::make_shared<Stream>(std::move(so));
  for (auto& ch : chunks) stream->Push(std::move(ch));
  stream->End();
  Response r;
  r.stream = std::move(stream);
  c.done(std::move(r));
}

// The value a job-variable id names, or replies and returns false.
void ExportJobVariable(Api::State& s, Call& c, const LargeDataRef& ref) {
  auto doc = s.deps.runtime->GetJobDocument(ref.owner);
  if (!doc.ok()) return ReplyError(c, doc.status());
  if (!auth::CanSee(*c.account, auth::GroupsOfDoc(*doc)))
    return ReplyError(c, JobNotFound(ref.owner));
  const bj::value* vars = doc->if_contains("variables");
  const bj::value* value =
      vars && vars->is_object() ? vars->get_object().if_contains(ref.name) : nullptr;
  if (!value) {
    return ReplyError(c, 404,
                      "large data '" + c.params[0] + "' not found (job " + ref.owner +
                          " has no variable of that name)");
  }
  StreamValue(c, *value);
}

void ExportTaskValue(Api::State& s, Call& c, const LargeDataRef& ref) {
  auto it = s.deps.jobs->GetIteration(ref.owner);
  if (!it.ok()) return ReplyError(c, it.status());
  // A task of a job the caller may not see answers as GET /tasks/:id does: not found.
  if (auto job = VisibleJob(s, c, it->job_id); !job.ok()) {
    return ReplyError(c, job.status().code() == base::Code::kNotFound
                             ? base::NotFound("task " + ref.owner + " not found")
                             : job.status());
  }
  bool outgoing = ref.kind == LargeDataRef::Kind::kTaskOutgoing;
  bj::object doc = model::IterationDocument(*it);  // secrets masked as the task document has them
  const bj::value* values =
      doc["variables"].get_object().if_contains(outgoing ? "outgoing" : "incoming");
  const bj::value* value =
      values && values->is_object() ? values->get_object().if_contains(ref.name) : nullptr;
  if (!value) {
    return ReplyError(c, 404,
                      "large data '" + c.params[0] + "' not found (task " + ref.owner + " has no " +
                          (outgoing ? "outgoing" : "incoming") + " value of that name)");
  }
  StreamValue(c, *value);
}

void ExportLargeData(Api::State& s, Call& c) {
  auto ref = ParseLargeDataId(c.params[0]);
  if (!ref) {
    return ReplyError(c, 400,
                      "'" + c.params[0] +
                          "' is not a large-data id (<job _id>-<hex name>, or <task _id>-o-<hex "
                          "name> / <task _id>-i-<hex name>)");
  }
  if (ref->kind == LargeDataRef::Kind::kJobVariable) return ExportJobVariable(s, c, *ref);
  ExportTaskValue(s, c, *ref);
}

}  // namespace

std::span<const Route> LargeDataRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/operations-manager/large-data/:id", ExportLargeData, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
