// GET /automation-studio/json-forms/method-options (IAP-REFERENCE §11, AutomationStudio
// getMethodOptions): the API methods a JSON form's REST-bound dropdown may take its options
// from. IAP does not document the answer's shape; opsflow answers (docs/DECISIONS.md "JSON forms
// method options") with its own GET routes that need a token, in the shape of
// GET /authorization/methods: {results: [{name: "GET <path>", provenance, route: {path, verb}}],
// total}, sorted by name; `?provenance=App` keeps one application. Admins only, as IAP's
// role table has it.
#include <algorithm>
#include <string>

#include "api/access_checks.h"
#include "api/state.h"

namespace opsflow::api {
namespace {

void MethodOptions(Api::State& s, Call& c) {
  (void)s;
  if (!RequireAdmin(c, "list the method options of JSON forms")) return;
  const std::string* only = c.req.Query("provenance");
  bj::array results;
  std::vector<const Route*> rows;
  for (const Route& r : AllRoutes()) {
    if (std::string_view(r.method) != "GET" || !r.auth) continue;
    std::string_view pattern(r.pattern);
    if (pattern.ends_with("/") || pattern.find("/events") != std::string_view::npos) continue;
    if (only && RouteApplication(pattern) != *only) continue;
    rows.push_back(&r);
  }
  std::sort(rows.begin(), rows.end(), [](const Route* a, const Route* b) {
    return std::string_view(a->pattern) < std::string_view(b->pattern);
  });
  for (const Route* r : rows) {
    results.push_back(bj::object{{"name", std::string("GET ") + r->pattern},
                                 {"provenance", RouteApplication(r->pattern)},
                                 {"route", bj::object{{"path", r->pattern}, {"verb", "GET"}}}});
  }
  const int64_t total = static_cast<int64_t>(results.size());
  Reply(c, 200, bj::object{{"results", std::move(results)}, {"total", total}});
}

}  // namespace

std::span<const Route> JsonFormsRoutes() {
  static const Route kRoutes[] = {
      {"GET", "/automation-studio/json-forms/method-options", MethodOptions, true},
  };
  return kRoutes;
}

}  // namespace opsflow::api
