#include "sqlite/archive.h"

#include <zlib.h>

#include <boost/json.hpp>

#include "json/parse.h"
#include "sqlite/sqlite_store.h"

namespace opsflow::sqlite {
namespace bj = boost::json;
namespace {

// A JSON column as a value (text that is not JSON stays a string).
bj::value Column(const std::string& text) {
  boost::system::error_code ec;
  bj::value v = bj::parse(text, ec);
  return ec ? bj::value(text) : v;
}

std::string Text(const bj::object& o, const char* k) {
  const bj::value* v = o.if_contains(k);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

int64_t Int(const bj::object& o, const char* k) {
  const bj::value* v = o.if_contains(k);
  return v && v->is_int64() ? v->get_int64() : v && v->is_uint64() ? v->to_number<int64_t>() : 0;
}

std::string Json(const bj::object& o, const char* k, const char* dflt) {
  const bj::value* v = o.if_contains(k);
  return v ? bj::serialize(*v) : dflt;
}

bj::object JobObject(const model::JobRecord& r) {
  return {{"_id", r.id},
          {"workflow_name", r.workflow_name},
          {"workflow_version", r.workflow_version},
          {"status", r.status},
          {"description", r.description},
          {"type", r.type},
          {"created_by", r.created_by},
          {"created_ms", r.created_ms},
          {"last_updated_ms", r.last_updated_ms},
          {"start_ms", r.start_ms},
          {"end_ms", r.end_ms},
          {"progress", r.progress},
          {"groups", Column(r.groups_json)},
          {"variables", Column(r.variables_json)},
          {"errors", Column(r.errors_json)},
          {"state", r.state},
          {"parent", Column(r.parent_json)},
          {"ancestors", Column(r.ancestors_json)},
          {"watchers", Column(r.watchers_json)}};
}

model::JobRecord JobFrom(const bj::object& o) {
  model::JobRecord r;
  r.id = Text(o, "_id");
  r.workflow_name = Text(o, "workflow_name");
  r.workflow_version = Text(o, "workflow_version");
  r.status = Text(o, "status");
  r.description = Text(o, "description");
  r.type = Text(o, "type");
  r.created_by = Text(o, "created_by");
  r.created_ms = Int(o, "created_ms");
  r.last_updated_ms = Int(o, "last_updated_ms");
  r.start_ms = Int(o, "start_ms");
  r.end_ms = Int(o, "end_ms");
  const bj::value* p = o.if_contains("progress");
  r.progress = p && p->is_number() ? p->to_number<double>() : 0;
  r.groups_json = Json(o, "groups", "[]");
  r.variables_json = Json(o, "variables", "{}");
  r.errors_json = Json(o, "errors", "[]");
  r.state = Text(o, "state");
  r.parent_json = Json(o, "parent", "null");
  r.ancestors_json = Json(o, "ancestors", "[]");
  r.watchers_json = Json(o, "watchers", "[]");
  return r;
}

bj::object IterationObject(const model::IterationRecord& r) {
  return {{"_id", r.id},
          {"job_id", r.job_id},
          {"task_id", r.task_id},
          {"iteration", r.iteration},
          {"method", r.method},
          {"status", r.status},
          {"finish_state", r.finish_state},
          {"start_ms", r.start_ms},
          {"end_ms", r.end_ms},
          {"incoming", Column(r.incoming_json)},
          {"outgoing", Column(r.outgoing_json)},
          {"error", r.error}};
}

model::IterationRecord IterationFrom(const bj::object& o) {
  model::IterationRecord r;
  r.id = Text(o, "_id");
  r.job_id = Text(o, "job_id");
  r.task_id = Text(o, "task_id");
  r.iteration = static_cast<int>(Int(o, "iteration"));
  r.method = Text(o, "method");
  r.status = Text(o, "status");
  r.finish_state = Text(o, "finish_state");
  r.start_ms = Int(o, "start_ms");
  r.end_ms = Int(o, "end_ms");
  r.incoming_json = Json(o, "incoming", "{}");
  r.outgoing_json = Json(o, "outgoing", "{}");
  r.error = Text(o, "error");
  return r;
}

// Applies one archive line to `batch`; InvalidArgument when it is not one.
base::Status ApplyLine(std::string_view line, SqliteStore* store, store::WriteBatch* batch,
                       size_t* imported) {
  json::ParseLimits po;
  po.max_bytes = 256 * 1024 * 1024;
  auto parsed = json::Parse(line, po);
  if (!parsed.ok() || !parsed->is_object()) return base::InvalidArgument("not a JSON object");
  const bj::object& o = parsed->get_object();
  std::string kind = Text(o, "kind");
  if (kind == "workflow_version") {
    const bj::value* doc = o.if_contains("doc");
    if (Text(o, "version").empty() || !doc) return base::InvalidArgument("a version needs doc");
    batch->versions.push_back({Text(o, "version"), bj::serialize(*doc)});
    return base::Status::Ok();
  }
  const bj::value* job = o.if_contains("job");
  if (kind != "job" || !job || !job->is_object()) {
    return base::InvalidArgument("kind is neither \"job\" nor \"workflow_version\"");
  }
  model::JobRecord r = JobFrom(job->get_object());
  if (r.id.empty() || r.workflow_version.empty()) return base::InvalidArgument("job without _id");
  if (store->GetJob(r.id).ok()) return base::Status::Ok();  // already there
  if (const bj::value* its = o.if_contains("iterations"); its && its->is_array()) {
    for (const bj::value& it : its->get_array()) {
      if (it.is_object()) batch->iterations.push_back(IterationFrom(it.get_object()));
    }
  }
  batch->new_jobs.push_back(std::move(r));
  ++*imported;
  return base::Status::Ok();
}

}  // namespace

std::string JobLine(const ArchivedJob& j) {
  bj::array its;
  for (const auto& it : j.iterations) its.push_back(IterationObject(it));
  return bj::serialize(
      bj::object{{"kind", "job"}, {"job", JobObject(j.job)}, {"iterations", std::move(its)}});
}

std::string VersionLine(const std::string& version, const std::string& doc_json) {
  return bj::serialize(
      bj::object{{"kind", "workflow_version"}, {"version", version}, {"doc", Column(doc_json)}});
}

base::Status AppendArchive(const std::string& path, const std::vector<std::string>& lines) {
  gzFile f = gzopen(path.c_str(), "ab");
  if (!f) return base::Unavailable("cannot open archive " + path + " for appending");
  bool ok = true;
  for (const std::string& l : lines) {
    if (gzwrite(f, l.data(), static_cast<unsigned>(l.size())) != static_cast<int>(l.size()) ||
        gzputc(f, '\n') != '\n') {
      ok = false;
      break;
    }
  }
  if (gzclose(f) != Z_OK) ok = false;
  return ok ? base::Status::Ok() : base::Unavailable("cannot write archive " + path);
}

base::Status ImportArchive(const std::string& path, SqliteStore* store, size_t* imported) {
  *imported = 0;
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) return base::NotFound("cannot open archive " + path);
  std::string pending;
  std::vector<char> buf(1 << 16);
  size_t line_no = 0;
  store::WriteBatch batch;
  base::Status st = base::Status::Ok();
  auto flush = [&]() -> base::Status {
    if (batch.empty()) return base::Status::Ok();
    base::Status c = store->Commit(batch);
    batch = store::WriteBatch();
    return c;
  };
  auto line = [&](std::string_view l) -> base::Status {
    ++line_no;
    if (l.empty()) return base::Status::Ok();
    base::Status a = ApplyLine(l, store, &batch, imported);
    if (!a.ok()) {
      return base::InvalidArgument(path + " line " + std::to_string(line_no) +
                                   " is not an archive line: " + a.message());
    }
    return batch.new_jobs.size() >= 500 ? flush() : base::Status::Ok();
  };
  for (;;) {
    int n = gzread(f, buf.data(), static_cast<unsigned>(buf.size()));
    if (n < 0) {
      st = base::InvalidArgument(path + " is not a readable gzip file");
      break;
    }
    if (n == 0) break;
    pending.append(buf.data(), static_cast<size_t>(n));
    size_t start = 0, nl;
    while (st.ok() && (nl = pending.find('\n', start)) != std::string::npos) {
      st = line(std::string_view(pending).substr(start, nl - start));
      start = nl + 1;
    }
    pending.erase(0, start);
    if (!st.ok()) break;
  }
  gzclose(f);
  if (st.ok() && !pending.empty()) st = line(pending);
  if (st.ok()) st = flush();
  return st;
}

}  // namespace opsflow::sqlite
