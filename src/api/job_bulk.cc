#include "api/job_bulk.h"

#include <algorithm>

#include "api/state.h"
#include "base/ids.h"

namespace opsflow::api {

bool ParseJobIds(Api::State& s, Call& c, std::vector<std::string>* ids) {
  bj::object body;
  if (!ParseBodyObject(s, c, &body)) return false;
  const bj::value* list = body.if_contains("jobIds");
  if (!list || !list->is_array() || list->get_array().empty()) {
    ReplyError(c, 400, "body must be {\"jobIds\": [<job id>, ...]} with at least one id");
    return false;
  }
  if (list->get_array().size() > kMaxBulkJobIds) {
    ReplyError(c, 400, "at most " + std::to_string(kMaxBulkJobIds) + " jobIds per request");
    return false;
  }
  for (const bj::value& id : list->get_array()) {
    if (!id.is_string() || !base::IsObjectId(id.get_string())) {
      ReplyError(c, 400, "jobIds must be 24-hex job ids; got " + bj::serialize(id));
      return false;
    }
    std::string s_id(id.get_string());
    if (std::find(ids->begin(), ids->end(), s_id) == ids->end()) ids->push_back(std::move(s_id));
  }
  return true;
}

}  // namespace opsflow::api
