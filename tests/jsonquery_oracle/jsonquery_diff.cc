// The json-query differential test (issue 10): reads the cases that oracle.js produced with the
// npm package json-query and runs each query through opsflow's EvaluateJsonQuery. A case agrees
// when both give an equal value, both give undefined, or both fail. Prints every disagreement
// (up to 40) and the totals; exit 1 when any case disagrees or there are fewer than 300 cases.
// Usage: jsonquery_diff <cases.json>
#include <boost/json.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "tasks/query/json_query.h"
#include "tasks/task_util.h"

namespace json = boost::json;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: jsonquery_diff <cases.json>\n";
    return 2;
  }
  std::ifstream in(argv[1]);
  std::stringstream text;
  text << in.rdbuf();
  boost::system::error_code ec;
  json::value all = json::parse(text.str(), ec);
  if (ec || !all.is_object() || !all.as_object().contains("cases")) {
    std::cerr << "jsonquery_diff: " << argv[1] << " is not an oracle.js output\n";
    return 2;
  }
  const json::array& docs = all.at("docs").as_array();
  const json::array& cases = all.at("cases").as_array();
  size_t agree = 0, differ = 0, values = 0, undefineds = 0, errors = 0;
  for (const json::value& c : cases) {
    const json::value& doc = docs.at(static_cast<size_t>(c.at("doc").to_number<int64_t>()));
    std::string query(c.at("query").as_string());
    const json::object& expect = c.at("expect").as_object();
    std::string kind(expect.at("kind").as_string());
    auto got = opsflow::tasks::EvaluateJsonQuery(doc, query);
    bool ok;
    std::string ours;
    if (!got.ok()) {
      ours = "error: " + got.status().message();
      ok = kind == "error";
    } else if (got->undefined) {
      ours = "undefined";
      ok = kind == "undefined";
    } else {
      ours = json::serialize(got->value);
      ok = kind == "value" && opsflow::tasks::internal::DeepEqual(got->value, expect.at("value"));
    }
    (kind == "value" ? values : kind == "undefined" ? undefineds : errors)++;
    if (ok) {
      ++agree;
      continue;
    }
    if (++differ <= 40) {
      std::string theirs = kind == "value" ? json::serialize(expect.at("value")) : kind;
      if (kind == "error") theirs += std::string(": ") + std::string(expect.at("message").as_string());
      std::cout << "DIFFER doc " << c.at("doc") << " query '" << query << "'\n  json-query: "
                << theirs << "\n  opsflow:    " << ours << "\n";
    }
  }
  std::cout << "jsonquery_diff: " << cases.size() << " cases (" << values << " values, "
            << undefineds << " undefined, " << errors << " errors; "
            << all.at("corpus_queries") << " corpus queries): " << agree << " agree, " << differ
            << " differ\n";
  if (cases.size() < 300) {
    std::cout << "jsonquery_diff: FAILED: fewer than 300 cases\n";
    return 1;
  }
  return differ == 0 ? 0 : 1;
}
