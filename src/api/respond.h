// Internal to api/: how handlers read a request body and answer (respond.cc). Every JSON reply
// with a message is the envelope {message, data, metadata}, built by Envelope.
// Thread-safety: stateless functions; each Call is answered once, by one thread.
#pragma once

#include <boost/json.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/api.h"
#include "api/routes.h"
#include "json/schema.h"
#include "model/query.h"

namespace opsflow::api {

namespace bj = boost::json;

int HttpStatus(base::Code code);
// {message, data, metadata}, in that key order.
bj::object Envelope(std::string_view message, bj::value data, bj::value metadata = bj::object());
// A response with `status` and that envelope as its body.
Response EnvelopeResponse(int status, std::string_view message, bj::value data,
                          bj::value metadata = bj::object());
void Reply(Call& c, int status, const bj::value& body);
void ReplyEnvelope(Call& c, const std::string& message, bj::value data,
                   bj::value metadata = bj::object());
void ReplyError(Call& c, const base::Status& st);
void ReplyError(Call& c, int status, const std::string& message);
// Parses the body as JSON (limits from the options); replies 400 and returns false on failure.
bool ParseBody(Api::State& s, Call& c, bj::value* out);
// The reply to a job start (jobs/start, trigger runs): the new job as IAP answers it; a failure
// as its status says (a running-jobs limit: 429), with the ajv-style list `errs` in `data` when
// the variables failed the workflow's inputSchema.
// With `large_data_bytes` > 0, the job's larger variables are answered as markers (large_data.h).
runtime::StartCallback StartedJobReply(
    Responder done, std::shared_ptr<std::vector<json::SchemaError>> errs = nullptr,
    size_t large_data_bytes = 0);
bool ParseBodyObject(Api::State& s, Call& c, bj::object* out);
// Parses the request's list parameters with the configured `limit` cap; replies 400 and returns
// false when they are malformed.
bool ParseList(Api::State& s, Call& c, model::ListQuery* q);
// True when `id` is a 24-hex job id; otherwise replies 400 naming it.
bool CheckJobId(Call& c, const std::string& id);
// Automation Studio's list reply {items, total, skip, limit, count, end, next, previous} for a
// page of documents already filtered and paged (`total`: all that matched), with the query's
// include/exclude applied.
void ReplyItemsPage(Call& c, const model::ListQuery& q, std::vector<bj::value> docs,
                    int64_t total);
// The same for every document the caller may see: the query's filters, sort and page are applied
// here (model::FilterSortPage) first.
void ReplyFilteredItems(Call& c, const model::ListQuery& q, std::vector<bj::value> docs);
// List metadata {skip, limit, total, nextPageSkip, previousPageSkip, currentPageSize, hints}.
bj::object ListMetadata(int64_t skip, int64_t limit, int64_t total, size_t page_size);

}  // namespace opsflow::api
