#include "base/status.h"

namespace opsflow::base {

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "OK";
    case Code::kInvalidArgument:
      return "InvalidArgument";
    case Code::kNotFound:
      return "NotFound";
    case Code::kAlreadyExists:
      return "AlreadyExists";
    case Code::kFailedPrecondition:
      return "FailedPrecondition";
    case Code::kAborted:
      return "Aborted";
    case Code::kUnavailable:
      return "Unavailable";
    case Code::kResourceExhausted:
      return "ResourceExhausted";
    case Code::kPermissionDenied:
      return "PermissionDenied";
    case Code::kUnauthenticated:
      return "Unauthenticated";
    case Code::kInternal:
      return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(CodeName(code_)) + ": " + message_;
}

void CheckFailed(const char* file, int line, const char* expr) {
  std::fprintf(stderr, "OPSFLOW_CHECK failed at %s:%d: %s\n", file, line, expr);
  std::abort();
}

}  // namespace opsflow::base
