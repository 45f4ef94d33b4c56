// The manual100k scenario of opsflow_loadgen: how much a job waiting on a person costs the
// server. See bench/README.md.
// Thread-safety: RunManual runs on the calling thread; call it once at a time.
#pragma once

#include <string_view>

#include "loadgen_options.h"

namespace opsflow::bench {

inline constexpr std::string_view kManualScenario = "manual100k";

// Reads the server's VmRSS, starts o.jobs jobs of o.workflow (whose task o.manual_task is
// manual), waits until every one of them is running with that task waiting, reads VmRSS and
// the thread count again, finishes o.finish_sample of the waiting tasks and waits for those
// jobs to complete. Prints the RESULT line and returns 0, or returns 1 with a sentence.
int RunManual(const Options& o);

}  // namespace opsflow::bench
