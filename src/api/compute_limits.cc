#include "api/compute_limits.h"

#include "api/state.h"

namespace opsflow::api {

bool ComputeSlots::TryAcquire(const std::string& user, size_t limit) {
  std::lock_guard<std::mutex> l(mu_);
  size_t& n = running_[user];
  if (n >= limit) {
    if (n == 0) running_.erase(user);
    return false;
  }
  ++n;
  return true;
}

void ComputeSlots::Release(const std::string& user) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = running_.find(user);
  if (it == running_.end()) return;
  if (--it->second == 0) running_.erase(it);
}

size_t ComputeSlots::InFlight(const std::string& user) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = running_.find(user);
  return it == running_.end() ? 0 : it->second;
}

ComputeRun::~ComputeRun() {
  if (held_) s_.compute.Release(c_.account->id);
}

bool ComputeRun::Begin(const std::string& what) {
  what_ = what;
  const size_t max = s_.opts.max_compute_bytes;
  if (c_.req.body.size() > max) {
    ReplyError(c_, 413,
               "the request body of " + what + " is " + std::to_string(c_.req.body.size()) +
                   " bytes, over the limit of " + std::to_string(max) + " (--max-compute-bytes)");
    return false;
  }
  if (c_.account->admin) return true;
  const size_t per_user = s_.opts.max_compute_per_user;
  if (!s_.compute.TryAcquire(c_.account->id, per_user)) {
    ReplyError(c_, 429,
               "'" + c_.account->username + "' already has " + std::to_string(per_user) +
                   " request(s) running of those that compute on the server (" + what +
                   ", ...); try again when one has finished (--max-compute-per-user)");
    return false;
  }
  held_ = true;
  return true;
}

void ComputeRun::Reply(const bj::value& answer) {
  Response r;
  r.status = 200;
  r.body = bj::serialize(answer);
  const size_t max = s_.opts.max_compute_bytes;
  if (r.body.size() > max) {
    ReplyError(c_, 422,
               "the answer of " + what_ + " would be " + std::to_string(r.body.size()) +
                   " bytes, over the limit of " + std::to_string(max) + " (--max-compute-bytes)");
    return;
  }
  c_.done(std::move(r));
}

}  // namespace opsflow::api
