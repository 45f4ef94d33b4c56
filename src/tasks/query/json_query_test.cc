#include "tasks/query/json_query.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

namespace opsflow::tasks {
namespace {

namespace json = boost::json;

const char* kPeople = R"({
  "people": [
    {"name": "Matt", "country": "NZ", "rating": 4, "starred": true, "addr": {"city": "Hutt"}},
    {"name": "Pete", "country": "AU", "rating": 2, "starred": false, "addr": {"city": "Melb"}},
    {"name": "Mikey", "country": "NZ", "rating": 5, "starred": false, "addr": {"city": "Wgtn"}}
  ],
  "grouped_people": {
    "friends": [{"name": "Steve", "country": "NZ"}, {"name": "Jane", "country": "US"},
                {"name": "Mary", "country": "NZ"}],
    "enemies": [{"name": "Evil Steve", "country": "AU"}, {"name": "Betty", "country": "NZ"}]
  },
  "page": {"id": "page_1"},
  "comments_lookup": {"page_1": [{"id": "c1"}]},
  "lookup": {"a": 1, "b": 2},
  "tags": ["x", "y"],
  "weird.key": {"ietf:if": 7},
  "n": null,
  "response": {"status": "SUCCESS", "item": {"id": "single"}}
})";

struct Case {
  const char* query;
  const char* expected;  // JSON text, or "undefined"
};

class JsonQueryCases : public ::testing::TestWithParam<Case> {};

// Expected values are what npm json-query 2.2.2 gives (tests/jsonquery_oracle checks ~1000
// more queries against the package itself).
TEST_P(JsonQueryCases, Evaluates) {
  const Case& c = GetParam();
  json::value obj = json::parse(kPeople);
  auto r = EvaluateJsonQuery(obj, c.query);
  ASSERT_TRUE(r.ok()) << c.query << ": " << r.status().ToString();
  if (std::string(c.expected) == "undefined") {
    EXPECT_TRUE(r->undefined) << c.query << " gave " << json::serialize(r->value);
    return;
  }
  EXPECT_FALSE(r->undefined) << c.query;
  EXPECT_EQ(r->value, json::parse(c.expected)) << c.query << " gave " << json::serialize(r->value);
}

INSTANTIATE_TEST_SUITE_P(
    All, JsonQueryCases,
    ::testing::Values(
        Case{"page.id", R"("page_1")"}, Case{".page.id", R"("page_1")"},
        Case{"people[0].name", R"("Matt")"}, Case{"people[2].addr.city", R"("Wgtn")"},
        Case{"people[3]", "undefined"}, Case{"people[0].missing", "undefined"},
        Case{"missing", "undefined"}, Case{"missing.deeper.still", "null"},
        Case{"people.name", R"(["Matt","Pete","Mikey"])"}, Case{"people.0.name", R"("Matt")"},
        Case{"tags[1]", R"("y")"}, Case{"lookup[*]", "[1,2]"}, Case{"tags[*]", R"(["x","y"])"},
        Case{"people[country=NZ].name", R"("Matt")"},
        Case{"people[*country=NZ].name", R"(["Matt","Mikey"])"}, Case{"people[country=FR]", "null"},
        Case{"people[*country=FR]", "[]"}, Case{"people[country!=NZ].name", R"("Pete")"},
        Case{"people[*rating>=4].name", R"(["Matt","Mikey"])"},
        Case{"people[*rating<4].name", R"(["Pete"])"},
        Case{"people[*rating>4].name", R"(["Mikey"])"},
        Case{"people[*rating<=2].name", R"(["Pete"])"},
        Case{"people[* rating >= 3 & starred = true].name", R"(["Matt"])"},
        Case{"people[*country=AU | rating=5].name", R"(["Pete","Mikey"])"},
        // A filter key is one property name, and quotes are part of the text.
        Case{"people[*addr.city=Melb].name", "[]"}, Case{"people[name=\"Matt\"].rating", "null"},
        Case{"people[rating=4.0].name", R"("Matt")"},
        Case{"grouped_people[**][*country=NZ].name", R"(["Steve","Mary","Betty"])"},
        Case{"comments_lookup[{page.id}][0].id", R"("c1")"},
        Case{"people[country={people[1].country}].name", R"("Pete")"},
        Case{"missing|page.id", R"("page_1")"}, Case{"page.id|missing", R"("page_1")"},
        Case{"[\"weird.key\"][\"ietf:if\"]", "null"}, Case{":get(weird.key):get(ietf:if)", "7"},
        Case{"lookup:get(b)", "2"}, Case{"lookup:keys", R"(["a","b"])"},
        Case{"lookup:values", "[1,2]"}, Case{"people:length", "3"}, Case{"tags:first", R"("x")"},
        Case{"tags:last", R"("y")"}, Case{"people:select(name):first", R"({"name":"Matt"})"},
        Case{"lookup:nosuchhelper", R"({"a":1,"b":2})"}, Case{"tags[=y]", "null"},
        Case{"n", "null"}, Case{"n.x", "null"}, Case{"response.item[0]", "undefined"},
        Case{"response.item.id", R"("single")"}, Case{"response.status", R"("SUCCESS")"},
        Case{"lookup[a]", "1"}, Case{"people[*starred=true].name", R"(["Matt"])"},
        Case{"people[*name=O'Brien]", "[]"}, Case{"tags.length", "[1,1]"} /* plucked from each string */, Case{"page.id.length", "6"},
        Case{"page.id[0]", R"("p")"}, Case{"missing[*]", "[]"}, Case{"people[*name~ik].name",
                                                                        R"(["Mikey"])"}));

TEST(JsonQuery, EmptyQueryIsTheObject) {
  json::value obj = json::parse(kPeople);
  auto r = JsonQuery(obj, "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, obj);
}

TEST(JsonQuery, RealExportQueries) {
  json::value details = json::parse(R"({"status":"complete","loop":[
      {"status":"complete","returnStatus":"SUCCESS"},{"status":"complete","returnStatus":"FAILED"},
      {"status":"complete","returnStatus":"FAILED"}]})");
  auto r = JsonQuery(details, "loop[*returnStatus=FAILED]");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->as_array().size(), 2u);
  json::value aws = json::parse(R"({"response":{"DescribeInstancesResponse":{"reservationSet":{
      "item":[{"instancesSet":{"item":[{"networkInterfaceSet":{"item":[{"association":
      {"publicIp":"1.2.3.4"}}]}}]}}]}}}})");
  auto ip = JsonQuery(aws,
                      "response.DescribeInstancesResponse.reservationSet.item[0].instancesSet."
                      "item[0].networkInterfaceSet.item[0].association.publicIp");
  ASSERT_TRUE(ip.ok());
  EXPECT_EQ(*ip, json::value("1.2.3.4"));
}

TEST(JsonQuery, RejectsMalformedQueries) {
  json::value obj = json::parse(kPeople);
  for (const char* q : {"a[", "a]", "a[0", "a[]", "people[*name~/^R/]", "people[x=1&]",
                        "a[x=1", "a[{b.c]", "a{b", "a(b"}) {
    auto r = JsonQuery(obj, q);
    EXPECT_FALSE(r.ok()) << q << " gave " << (r.ok() ? json::serialize(*r) : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << q;
    }
  }
}

TEST(JsonQuery, JavaScriptTypeErrorsAreErrors) {
  json::value obj = json::parse(R"({"a":[null,{"b":1}],"n":[{"x":5}]})");
  auto r = JsonQuery(obj, "a.b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("'b' of null"), std::string::npos) << r.status().message();
  EXPECT_FALSE(JsonQuery(obj, "n[*x~1]").ok());  // "~" on a number
}

TEST(JsonQuery, CapsNestingAndLength) {
  std::string inner;
  for (int i = 0; i < 40; ++i) inner += "a[{";
  for (int i = 0; i < 40; ++i) inner += "}]";
  auto r = JsonQuery(json::object(), inner);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  EXPECT_FALSE(JsonQuery(json::object(), std::string(5000, 'a')).ok());
  EXPECT_TRUE(JsonQuery(json::object(), "a[{b[{c}]}]").ok());  // a few levels are fine
}

TEST(JsonQuery, BuiltValuesAreCapped) {
  json::array big;
  for (int i = 0; i < 100000; ++i) big.emplace_back(i);
  json::value v = json::object{{"a", big}};
  std::string q = "a";
  for (int i = 0; i < 100; ++i) q += "[*]";  // each [*] copies the 100000 values
  auto r = JsonQuery(v, q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), base::Code::kResourceExhausted);
}

TEST(JsonQuery, NeverCrashesOnOddQueries) {
  json::value obj = json::parse(kPeople);
  const std::string alphabet = "ab0.[]*=!<>&|{}:()\"' ~-";
  uint32_t seed = 12345;
  for (int i = 0; i < 20000; ++i) {
    std::string q;
    int len = static_cast<int>(seed % 12);
    for (int j = 0; j < len; ++j) {
      seed = seed * 1103515245 + 12345;
      q += alphabet[(seed >> 16) % alphabet.size()];
    }
    seed = seed * 1103515245 + 12345;
    (void)JsonQuery(obj, q);  // must return, ok or not
  }
}

}  // namespace
}  // namespace opsflow::tasks
