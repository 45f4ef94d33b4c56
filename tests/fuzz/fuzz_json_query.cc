// Fuzz target: opsflow::tasks::JsonQuery (src/tasks/query/json_query.h), the json-query syntax
// of the `query` task and of evaluations.
//
// Input: <query> [ "\n" <JSON document> ]. Without a (valid) document the query runs on a fixed
// one shaped like a REST adapter result; the query also runs on the parsed document's own text
// as a string value, and on null.
// Oracles: no crash, sanitizer report or stall; the result is deterministic.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>

#include "fuzz_common.h"
#include "fuzz_docs.h"
#include "json/parse.h"
#include "tasks/query/json_query.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace bj = boost::json;
  static const bj::value kResult = opsflow::fuzz::Fixture(R"({
    "response":{"DescribeInstancesResponse":{"reservationSet":{"item":[{"instancesSet":{"item":[
      {"instanceId":"i-1","networkInterfaceSet":{"item":[{"association":{"publicIp":"1.2.3.4"}}]},
       "tagSet":{"item":[{"key":"Name","value":"web"}]}}]}}]}},
      "id":"abc","status":"FINISHED","items":[{"n":1,"s":"a"},{"n":"2","s":"b"},{"n":3.5},null]},
    "loop":[{"returnStatus":"SUCCESS","x":{"y":[1,2]}},{"returnStatus":"FAILED"}],
    "lookup":{"a":"b","b":{"c":"d"}},"weird.key":{"ietf:if":7},"n":null,"t":true})");
  auto [query, doc_text] = opsflow::fuzz::SplitOnce(opsflow::fuzz::AsText(data, size), "\n");
  bj::value doc = kResult;
  if (auto d = opsflow::json::Parse(doc_text); d.ok()) doc = std::move(*d);
  auto first = opsflow::tasks::JsonQuery(doc, query);
  auto second = opsflow::tasks::JsonQuery(doc, query);
  opsflow::fuzz::Check(first.ok() == second.ok() && (!first.ok() || *first == *second),
                       "JsonQuery is not deterministic");
  (void)opsflow::tasks::JsonQuery(bj::value(), query);
  (void)opsflow::tasks::JsonQuery(bj::value(doc_text), query);
  for (const auto& sample : opsflow::fuzz::SampleDocs()) {
    (void)opsflow::tasks::JsonQuery(sample, query);
  }
  return 0;
}
