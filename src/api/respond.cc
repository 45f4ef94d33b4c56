#include <algorithm>

#include "api/large_data.h"
#include "api/state.h"
#include "base/ids.h"
#include "json/parse.h"
#include "model/list_page.h"

namespace opsflow::api {

int HttpStatus(base::Code code) {
  switch (code) {
    case base::Code::kOk:
      return 200;
    case base::Code::kInvalidArgument:
      return 400;
    case base::Code::kNotFound:
      return 404;
    case base::Code::kAlreadyExists:
      return 409;
    case base::Code::kFailedPrecondition:
      return 409;
    case base::Code::kAborted:
      return 409;
    case base::Code::kUnavailable:
      return 503;
    case base::Code::kResourceExhausted:
      return 413;
    case base::Code::kPermissionDenied:
      return 403;
    case base::Code::kUnauthenticated:
      return 401;
    case base::Code::kInternal:
      return 500;
  }
  return 500;
}

bj::object Envelope(std::string_view message, bj::value data, bj::value metadata) {
  return {{"message", message}, {"data", std::move(data)}, {"metadata", std::move(metadata)}};
}

Response EnvelopeResponse(int status, std::string_view message, bj::value data,
                          bj::value metadata) {
  Response r;
  r.status = status;
  r.body = bj::serialize(Envelope(message, std::move(data), std::move(metadata)));
  return r;
}

void Reply(Call& c, int status, const bj::value& body) {
  Response r;
  r.status = status;
  r.body = bj::serialize(body);
  c.done(std::move(r));
}

void ReplyEnvelope(Call& c, const std::string& message, bj::value data, bj::value metadata) {
  Reply(c, 200, Envelope(message, std::move(data), std::move(metadata)));
}

void ReplyError(Call& c, int status, const std::string& message) {
  c.done(ErrorResponse(status, message));
}

void ReplyError(Call& c, const base::Status& st) {
  ReplyError(c, HttpStatus(st.code()), st.message());
}

bool ParseBody(Api::State& s, Call& c, bj::value* out) {
  if (c.req.body.empty()) {
    ReplyError(c, 400, "request body is empty; a JSON document is required");
    return false;
  }
  auto r = json::Parse(c.req.body,
                       {.max_depth = s.opts.max_json_depth, .max_bytes = s.opts.max_body_bytes});
  if (!r.ok()) {
    ReplyError(c, r.status().code() == base::Code::kResourceExhausted ? 413 : 400,
               "invalid request body: " + r.status().message());
    return false;
  }
  *out = std::move(r).value();
  return true;
}

bool ParseBodyObject(Api::State& s, Call& c, bj::object* out) {
  bj::value v;
  if (!ParseBody(s, c, &v)) return false;
  if (!v.is_object()) {
    ReplyError(c, 400, "request body must be a JSON object");
    return false;
  }
  *out = std::move(v.as_object());
  return true;
}

bool ParseList(Api::State& s, Call& c, model::ListQuery* q) {
  model::ListQueryOptions lo;
  lo.max_limit = s.opts.max_list_limit;
  lo.allow_equals_field = true;  // equals=v&equalsField=f as on automations, besides equals[f]=v
  auto parsed = model::ParseListQuery(c.req.query, lo);
  if (!parsed.ok()) {
    ReplyError(c, parsed.status());
    return false;
  }
  *q = std::move(parsed).value();
  return true;
}

bool CheckJobId(Call& c, const std::string& id) {
  if (base::IsObjectId(id)) return true;
  ReplyError(c, 400, "'" + id + "' is not a valid job id (24 hex characters)");
  return false;
}

bj::object ListMetadata(int64_t skip, int64_t limit, int64_t total, size_t page_size) {
  int64_t next = skip + limit < total ? skip + limit : -1;
  int64_t prev = skip > 0 ? std::max<int64_t>(0, skip - limit) : -1;
  return {{"skip", skip},
          {"limit", limit},
          {"total", total},
          {"nextPageSkip", next < 0 ? bj::value() : bj::value(next)},
          {"previousPageSkip", prev < 0 ? bj::value() : bj::value(prev)},
          {"currentPageSize", static_cast<int64_t>(page_size)},
          {"hints", bj::array()}};
}

runtime::StartCallback StartedJobReply(Responder done,
                                       std::shared_ptr<std::vector<json::SchemaError>> errs,
                                       size_t large_data_bytes) {
  return [done = std::move(done), errs, large_data_bytes](base::Result<runtime::JobSnapshot> r) {
    if (!r.ok()) {
      if (errs && !errs->empty()) {
        done(EnvelopeResponse(400, r.status().message(), json::ErrorsToJson(*errs)));
        return;
      }
      // A limit on running jobs is the caller's rate, not a payload: 429.
      int status =
          r.status().code() == base::Code::kResourceExhausted ? 429 : HttpStatus(r.status().code());
      done(ErrorResponse(status, r.status().message()));
      return;
    }
    bj::value doc = r->ToDocument();
    if (large_data_bytes > 0) MarkLargeData(doc, large_data_bytes);  // large_data.h
    done(EnvelopeResponse(200, "Successfully started job", std::move(doc)));
  };
}

void ReplyFilteredItems(Call& c, const model::ListQuery& q, std::vector<bj::value> docs) {
  int64_t total = 0;
  docs = model::FilterSortPage(q, std::move(docs), q.filters, &total);
  ReplyItemsPage(c, q, std::move(docs), total);
}

void ReplyItemsPage(Call& c, const model::ListQuery& q, std::vector<bj::value> docs,
                    int64_t total) {
  bj::array items;
  for (auto& d : docs) {
    items.push_back(q.include.empty() && q.exclude.empty()
                        ? std::move(d)
                        : model::Project(d, q.include, q.exclude));
  }
  int64_t count = static_cast<int64_t>(items.size());
  int64_t end = q.skip + count;
  Reply(c, 200,
        bj::object{{"items", std::move(items)},
                   {"total", total},
                   {"skip", q.skip},
                   {"limit", q.limit},
                   {"count", count},
                   {"end", end},
                   {"next", end < total ? bj::value(end) : bj::value()},
                   {"previous",
                    q.skip > 0 ? bj::value(std::max<int64_t>(0, q.skip - q.limit)) : bj::value()}});
}

}  // namespace opsflow::api
