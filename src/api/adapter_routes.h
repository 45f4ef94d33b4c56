// Adapter instance health as IAP's Health application shows it (SPEC §7, IAP-REFERENCE §11):
// adapter hosts (adapters/host) report their instances' states with POST
// /adapter-workers/status (an opsflow extension), and GET /health/adapters and
// /health/adapters/:name answer from the latest reports. Reports live in memory (a restarted
// server knows the instances again within one heartbeat, 5 s).
// Thread-safety: the handlers are safe from any thread (the reports are behind a mutex).
#pragma once

#include "api/state.h"

namespace opsflow::api {

// {worker, adapters: [{id, type, package_id, state}]}: replaces that worker's instances.
void ReportAdapterStatus(Api::State& s, Call& c);
// {results: [{id, package_id, type, app, state, connection: {state}, worker, lastSeen}], total}
void ListAdapterHealth(Api::State& s, Call& c);
void GetAdapterHealth(Api::State& s, Call& c);

}  // namespace opsflow::api
