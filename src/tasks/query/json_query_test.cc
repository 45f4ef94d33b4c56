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
  const char* expected;  // JSON text
};

class JsonQueryCases : public ::testing::TestWithParam<Case> {};

TEST_P(JsonQueryCases, Evaluates) {
  const Case& c = GetParam();
  json::value obj = json::parse(kPeople);
  auto r = JsonQuery(obj, c.query);
  ASSERT_TRUE(r.ok()) << c.query << ": " << r.status().ToString();
  EXPECT_EQ(*r, json::parse(c.expected)) << c.query << " gave " << json::serialize(*r);
}

INSTANTIATE_TEST_SUITE_P(
    All, JsonQueryCases,
    ::testing::Values(
        Case{"page.id", R"("page_1")"}, Case{".page.id", R"("page_1")"},
        Case{"people[0].name", R"("Matt")"}, Case{"people[2].addr.city", R"("Wgtn")"},
        Case{"people[3]", "null"}, Case{"people[0].missing", "null"},
        Case{"missing.deeper.still", "null"}, Case{"people.name", R"(["Matt","Pete","Mikey"])"},
        Case{"people.0.name", R"("Matt")"}, Case{"tags[1]", R"("y")"}, Case{"lookup[*]", "[1,2]"},
        Case{"tags[*]", R"(["x","y"])"}, Case{"people[country=NZ].name", R"("Matt")"},
        Case{"people[*country=NZ].name", R"(["Matt","Mikey"])"}, Case{"people[country=FR]", "null"},
        Case{"people[*country=FR]", "[]"}, Case{"people[country!=NZ].name", R"("Pete")"},
        Case{"people[*rating>=4].name", R"(["Matt","Mikey"])"},
        Case{"people[*rating<4].name", R"(["Pete"])"},
        Case{"people[*rating>4].name", R"(["Mikey"])"},
        Case{"people[*rating<=2].name", R"(["Pete"])"},
        Case{"people[* rating >= 3 & starred = true].name", R"(["Matt"])"},
        Case{"people[*country=AU | rating=5].name", R"(["Pete","Mikey"])"},
        Case{"people[*addr.city=Melb].name", R"(["Pete"])"},
        Case{"people[name=\"Matt\"].rating", "4"}, Case{"people[rating=4.0].name", R"("Matt")"},
        Case{"grouped_people[**][*country=NZ].name", R"(["Steve","Mary","Betty"])"},
        Case{"comments_lookup[{page.id}][0].id", R"("c1")"},
        Case{"people[country={people[1].country}].name", R"("Pete")"},
        Case{"missing|page.id", R"("page_1")"}, Case{"page.id|missing", R"("page_1")"},
        Case{"[\"weird.key\"][\"ietf:if\"]", "7"}, Case{"lookup:get(b)", "2"},
        Case{"lookup:keys", R"(["a","b"])"}, Case{"lookup:values", "[1,2]"},
        Case{"people:length", "3"}, Case{"tags:first", R"("x")"}, Case{"tags:last", R"("y")"},
        Case{"tags[=y]", R"("y")"}, Case{"n", "null"}, Case{"n.x", "null"},
        Case{"response.item[0]", "null"}, Case{"response.item.id", R"("single")"},
        Case{"response.status", R"("SUCCESS")"}, Case{"lookup[a]", "1"},
        Case{"people[*starred=true].name", R"(["Matt"])"}, Case{"people[*name=O'Brien]", "[]"}));

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
  for (const char* q :
       {"a[", "a]", "a..b", "a[0", "a[]", "a:nothelper", "a:get", "a:get(x,y)", "a[*name~/^R/]",
        "a[*rating]", "a[x=1", "a[{b.c]", "a|", "|a", "a[0]b", "a{b}", "a[*:helper]", "a(b)"}) {
    auto r = JsonQuery(obj, q);
    EXPECT_FALSE(r.ok()) << q << " gave " << (r.ok() ? json::serialize(*r) : "");
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), base::Code::kInvalidArgument) << q;
    }
  }
}

TEST(JsonQuery, UnknownHelperMessageNamesIt) {
  auto r = JsonQuery(json::object(), "a:frobnicate(1)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find(":frobnicate"), std::string::npos);
}

TEST(JsonQuery, CapsNestingAndLength) {
  std::string deep = "a";
  for (int i = 0; i < 40; ++i) deep = "a[" + deep + "=1]";
  auto r = JsonQuery(json::object(), deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested too deeply"), std::string::npos);
  std::string inner;
  for (int i = 0; i < 40; ++i) inner += "a[{";
  for (int i = 0; i < 40; ++i) inner += "}]";
  EXPECT_FALSE(JsonQuery(json::object(), inner).ok());
  EXPECT_FALSE(JsonQuery(json::object(), std::string(5000, 'a')).ok());
  // A few levels are fine.
  EXPECT_TRUE(JsonQuery(json::object(), "a[b[c=1]=1]").ok());
}

TEST(JsonQuery, DeepValuesAreWalkedWithoutRecursionAndCapped) {
  json::value v = json::array();
  for (int i = 0; i < 400; ++i) v = json::array{std::move(v)};
  auto r = JsonQuery(v, "[**]:length");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*r, json::value(400));
  for (int i = 0; i < 400; ++i) v = json::array{std::move(v)};
  auto capped = JsonQuery(v, "[**]");
  ASSERT_FALSE(capped.ok());
  EXPECT_EQ(capped.status().code(), base::Code::kResourceExhausted);
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
