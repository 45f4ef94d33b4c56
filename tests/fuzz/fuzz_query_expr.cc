// Fuzz target: the `q` expression parser, opsflow::model::ParseQueryExpr, and Matches
// (src/model/query.h) on fixed job and task documents.
// Oracles: no crash or sanitizer report; an accepted expression evaluates on every document, and
// {"not": e} is the negation of e.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.h"
#include "fuzz_docs.h"
#include "model/query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace model = opsflow::model;
  static const std::vector<boost::json::value>& docs = opsflow::fuzz::SampleDocs();
  auto e = model::ParseQueryExpr(opsflow::fuzz::AsText(data, size));
  if (!e.ok()) return 0;
  model::Expr negated;
  negated.kind = model::Expr::Kind::kNot;
  negated.children.push_back(*e);
  for (const auto& doc : docs) {
    bool m = model::Matches(*e, doc);
    opsflow::fuzz::Check(model::Matches(negated, doc) == !m, "Matches(not e) != !Matches(e)");
  }
  return 0;
}
