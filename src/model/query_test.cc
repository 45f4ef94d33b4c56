#include "model/query.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>

#include "json/parse.h"

namespace opsflow::model {
namespace {
namespace bj = boost::json;

using Params = std::vector<std::pair<std::string, std::string>>;

bj::value J(std::string_view text) {
  auto r = json::Parse(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? std::move(r).value() : bj::value();
}

// Four job-like documents, named by their `name`.
std::vector<bj::value> Docs() {
  return {
      J(R"({"_id":"65a000000000000000000001","name":"alpha","status":"running",
           "metrics":{"start_time":1700000000000,"progress":0.5},
           "created":"2024-01-15T10:00:00.000Z","watchers":["ann","bob"],"paused":false,
           "groups":["g1"],"tasks":[{"status":"complete"},{"status":"running"}],
           "count":10})"),
      J(R"({"_id":"65a000000000000000000002","name":"beta","status":"error",
           "metrics":{"start_time":1700000500000},"created":"2024-02-01T00:00:00Z",
           "watchers":[],"paused":true,"error":{"message":"boom"},"count":9,
           "tasks":[{"status":"error"}]})"),
      J(R"({"_id":"65a000000000000000000003","name":"Gamma ray","status":"paused",
           "metrics":{"start_time":1699999999999,"progress":1},"created":"2023-12-31T23:59:59+01:00",
           "watchers":["carl"],"paused":true,"error":null,"count":100})"),
      J(R"({"_id":"65a000000000000000000004","name":"delta","status":"complete",
           "created":"not a date","count":"7"})"),
  };
}

std::string Names(const Params& params, const ListQueryOptions& opts = {}) {
  auto q = ParseListQuery(params, opts);
  EXPECT_TRUE(q.ok()) << q.status().ToString();
  if (!q.ok()) return "<error>";
  std::string out;
  for (const auto& d : Docs()) {
    if (MatchesAll(*q, d)) out += (out.empty() ? "" : ",") + std::string(d.at("name").as_string());
  }
  return out;
}

struct Case {
  Params params;
  std::string want;
};

TEST(Query, FilterTable) {
  const std::string all = "alpha,beta,Gamma ray,delta";
  std::vector<Case> cases = {
      {{}, all},
      {{{"equals[status]", "running"}}, "alpha"},
      {{{"equals[status]", "RUNNING"}}, ""},
      {{{"equals[_id]", "65a000000000000000000002"}}, "beta"},
      {{{"equals[metrics.start_time]", "1700000000000"}}, "alpha"},
      {{{"equals[paused]", "true"}}, "beta,Gamma ray"},
      {{{"equals[paused]", "false"}}, "alpha"},
      {{{"equals[error]", "null"}}, "Gamma ray"},
      {{{"equals[count]", "7"}}, "delta"},            // a string field compares as a string
      {{{"equals[count]", "10.0"}}, "alpha"},         // a number field compares as a number
      {{{"equals[watchers]", "bob"}}, "alpha"},       // array fields: any element
      {{{"equals[tasks.status]", "error"}}, "beta"},  // fan out through arrays
      {{{"equals[tasks.1.status]", "running"}}, "alpha"},
      {{{"contains[name]", "amm"}}, "Gamma ray"},
      {{{"contains[name]", "AMM"}}, ""},
      {{{"contains[watchers]", "carl"}}, "Gamma ray"},
      {{{"contains[watchers]", "car"}}, ""},  // arrays: element equality, not substring
      {{{"starts-with[name]", "Gam"}}, "Gamma ray"},
      {{{"ends-with[name]", "ta"}}, "beta,delta"},
      {{{"in[status]", "error"}, {"in[status]", "paused"}}, "beta,Gamma ray"},
      {{{"in[status]", R"(["error","complete"])"}}, "beta,delta"},
      {{{"in[count]", "[9,100]"}}, "beta,Gamma ray"},
      {{{"not-in[status]", "running"}, {"not-in[status]", "error"}}, "Gamma ray,delta"},
      {{{"not-in[watchers]", "ann"}}, "beta,Gamma ray,delta"},
      {{{"not-in[metrics.progress]", "1"}}, "alpha,beta,delta"},  // missing field matches
      {{{"gt[metrics.start_time]", "1700000000000"}}, "beta"},
      {{{"gte[metrics.start_time]", "1700000000000"}}, "alpha,beta"},
      {{{"lt[metrics.start_time]", "1700000000000"}}, "Gamma ray"},
      {{{"lte[count]", "10"}}, "alpha,beta"},  // "7" is a string: no numeric comparison
      {{{"gt[count]", "abc"}}, ""},
      // ISO dates in the document compare as times, against ISO or epoch ms.
      {{{"gt[created]", "2024-01-01"}}, "alpha,beta,delta"},  // delta's is a plain string
      {{{"gte[created]", "2024-02-01T00:00:00.000Z"}}, "beta,delta"},
      {{{"lt[created]", "1704067200000"}}, "Gamma ray"},         // 2024-01-01 = 1704067200000
      {{{"lt[created]", "2023-12-31T23:00:00Z"}}, "Gamma ray"},  // +01:00 offset applied
      // Epoch-ms fields against ISO parameters.
      {{{"gte[metrics.start_time]", "2023-11-14T22:13:20Z"}}, "alpha,beta"},
      {{{"exists[error]", "true"}}, "beta,Gamma ray"},
      {{{"exists[error]", "false"}}, "alpha,delta"},
      {{{"exists[metrics.progress]", "true"}}, "alpha,Gamma ray"},
      {{{"equals[status]", "paused"}, {"equals[paused]", "true"}}, "Gamma ray"},
      // Unknown parameters and operators are ignored.
      {{{"frobnicate", "1"}, {"bogus[status]", "x"}, {"equals", "x"}}, all},
      // q expressions.
      {{{"q", R"({"equals":{"status":"running"}})"}}, "alpha"},
      {{{"q",
         R"({"and":[{"equals":{"paused":true}},{"or":[{"gt":{"metrics.start_time":1700000000000}},
                {"not":{"exists":{"error":true}}}]}]})"}},
       "beta"},
      {{{"q", R"({"or":[{"equals":{"name":"alpha"}},{"in":{"count":[9,"7"]}}]})"}},
       "alpha,beta,delta"},
      {{{"q", R"({"not":{"in":{"status":["running","error"]}}})"}}, "Gamma ray,delta"},
      {{{"q", R"({"starts-with":{"name":"d"},"lt":{"count":"8"}})"}}, "delta"},
      {{{"q", R"({"equals":{"status":"error","paused":true}})"}}, "beta"},
      {{{"q", R"({"and":[]})"}}, all},
      {{{"q", R"({"or":[]})"}}, ""},
      {{{"q", R"({"startsWith":{"name":"al"}})"}, {"equals[status]", "running"}}, "alpha"},
      {{{"q", R"({"exists":{"metrics":false}})"}}, "delta"},
  };
  for (const auto& c : cases) {
    std::string desc;
    for (const auto& [k, v] : c.params) desc += k + "=" + v + "&";
    EXPECT_EQ(Names(c.params), c.want) << desc;
  }
}

TEST(Query, EqualsFieldForm) {
  ListQueryOptions opts;
  opts.allow_equals_field = true;
  EXPECT_EQ(Names({{"equals", "beta"}, {"equalsField", "name"}}, opts), "beta");
  EXPECT_EQ(Names({{"containsField", "name"}, {"contains", "l"}}, opts), "alpha,delta");
  EXPECT_EQ(Names({{"startsWith", "Ga"}, {"startsWithField", "name"}}, opts), "Gamma ray");
  EXPECT_EQ(Names({{"equals[status]", "error"}}, opts), "beta");
  auto missing = ParseListQuery({{"equals", "x"}}, opts);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("equalsField"), std::string::npos);
  // Without the option the plain form is just an unknown parameter.
  EXPECT_EQ(Names({{"equals", "beta"}, {"equalsField", "name"}}), "alpha,beta,Gamma ray,delta");
}

TEST(Query, PagingSortAndProjectionParameters) {
  ListQueryOptions opts;
  opts.default_sort = "name";
  auto q = ParseListQuery({}, opts);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->limit, 25);
  EXPECT_EQ(q->skip, 0);
  EXPECT_EQ(q->sort, "name");
  EXPECT_EQ(q->order, 1);
  q = ParseListQuery({{"limit", "1000"},
                      {"skip", "50"},
                      {"sort", "metrics.start_time"},
                      {"order", "-1"},
                      {"include", "name, status,,metrics.start_time"},
                      {"exclude", "_id"}},
                     opts);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(q->limit, 1000);
  EXPECT_EQ(q->skip, 50);
  EXPECT_EQ(q->sort, "metrics.start_time");
  EXPECT_EQ(q->order, -1);
  EXPECT_EQ(q->include, (std::vector<std::string>{"name", "status", "metrics.start_time"}));
  EXPECT_EQ(q->exclude, (std::vector<std::string>{"_id"}));
  EXPECT_EQ(ParseListQuery({{"order", "desc"}}, opts)->order, -1);
  EXPECT_EQ(ParseListQuery({{"order", "asc"}}, opts)->order, 1);
  EXPECT_EQ(ParseListQuery({{"limit", "0"}}, opts)->limit, 0);
}

TEST(Query, MalformedValuesNameTheParameter) {
  std::vector<std::pair<Params, std::string>> bad = {
      {{{"limit", "-1"}}, "limit"},
      {{{"limit", "abc"}}, "limit"},
      {{{"limit", "1001"}}, "limit"},
      {{{"limit", ""}}, "limit"},
      {{{"limit", "10x"}}, "limit"},
      {{{"skip", "-5"}}, "skip"},
      {{{"skip", "1.5"}}, "skip"},
      {{{"order", "7"}}, "order"},
      {{{"q", "{not json"}}, "q"},
      {{{"q", R"({"regex":{"name":"a"}})"}}, "q"},
      {{{"q", R"([1,2])"}}, "q"},
      {{{"q", R"({})"}}, "q"},
      {{{"q", R"({"and":{"equals":{"a":1}}})"}}, "q"},
      {{{"q", R"({"equals":"x"})"}}, "q"},
      {{{"q", R"({"exists":{"a":"maybe"}})"}}, "q"},
      {{{"q", std::string(40, '[') + std::string(40, ']')}}, "q"},
      {{{"exists[a]", "yes"}}, "exists[a]"},
      {{{"equals[]", "x"}}, "equals[]"},
      {{{"include", "a"}, {"exclude", "b"}}, "exclude"},
  };
  for (const auto& [params, name] : bad) {
    auto q = ParseListQuery(params, {});
    ASSERT_FALSE(q.ok()) << params[0].first << "=" << params[0].second;
    EXPECT_EQ(q.status().code(), base::Code::kInvalidArgument);
    EXPECT_NE(q.status().message().find(name), std::string::npos) << q.status().message();
  }
  auto q = ParseListQuery({{"q", R"({"regex":{"name":"a"}})"}}, {});
  EXPECT_NE(q.status().message().find("unknown operator \"regex\""), std::string::npos)
      << q.status().message();
  ListQueryOptions small;
  small.max_limit = 10;
  EXPECT_FALSE(ParseListQuery({{"limit", "11"}}, small).ok());
}

TEST(Query, CompareIsATotalOrder) {
  std::vector<bj::value> values = {
      J("null"), J("-5"),    J("1"),     J("1.5"),   J("18446744073709551615"),
      J("\"\""), J("\"a\""), J("\"b\""), J("{}"),    J(R"({"a":1})"),
      J("[]"),   J("[1]"),   J("[1,2]"), J("false"), J("true")};
  EXPECT_LT(Compare(nullptr, &values[0]), 0);
  EXPECT_EQ(Compare(nullptr, nullptr), 0);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(Compare(&values[i], &values[i]), 0) << i;
    for (size_t j = i + 1; j < values.size(); ++j) {
      EXPECT_LT(Compare(&values[i], &values[j]), 0) << i << " " << j;
      EXPECT_GT(Compare(&values[j], &values[i]), 0) << i << " " << j;
    }
  }
  bj::value one = 1, one_d = 1.0;
  EXPECT_EQ(Compare(&one, &one_d), 0);
}

TEST(Query, SortByDottedField) {
  auto docs = Docs();
  std::stable_sort(docs.begin(), docs.end(), [](const bj::value& a, const bj::value& b) {
    return Compare(SortKey(a, "metrics.start_time"), SortKey(b, "metrics.start_time")) > 0;
  });
  std::string order;
  for (const auto& d : docs) order += std::string(d.at("name").as_string()) + ",";
  EXPECT_EQ(order, "beta,alpha,Gamma ray,delta,");  // missing sorts first, so last descending
  EXPECT_EQ(SortKey(docs[0], ""), nullptr);
}

TEST(Query, Project) {
  bj::value doc = Docs()[0];
  EXPECT_EQ(
      json::Serialize(Project(doc, {"name", "metrics.start_time", "tasks.status", "nope"}, {})),
      R"({"_id":"65a000000000000000000001","name":"alpha",)"
      R"("metrics":{"start_time":1700000000000},)"
      R"("tasks":[{"status":"complete"},{"status":"running"}]})");
  EXPECT_EQ(json::Serialize(Project(doc, {"name"}, {"_id"})), R"({"name":"alpha"})");
  bj::value excluded = Project(doc, {}, {"metrics.progress", "tasks", "watchers", "missing.x"});
  EXPECT_EQ(json::Serialize(excluded.at("metrics")), R"({"start_time":1700000000000})");
  EXPECT_FALSE(excluded.as_object().contains("tasks"));
  EXPECT_FALSE(excluded.as_object().contains("watchers"));
  EXPECT_TRUE(excluded.as_object().contains("groups"));
  EXPECT_EQ(Project(doc, {}, {}), doc);
  EXPECT_EQ(Project(J("[1,2]"), {"a"}, {}), J("[1,2]"));
  // A prefix wins over a longer path.
  bj::value whole = Project(doc, {"metrics.start_time", "metrics"}, {"_id"});
  EXPECT_EQ(whole.as_object().size(), 1u);
  EXPECT_EQ(whole.at("metrics").as_object().size(), 2u);
}

TEST(Query, HandBuiltExpressions) {
  Expr e;
  e.kind = Expr::Kind::kOr;
  e.children.push_back(
      Expr{Expr::Kind::kPredicate, {Op::kEquals, "status", {bj::value("error")}}, {}});
  e.children.push_back(Expr{Expr::Kind::kPredicate, {Op::kLt, "count", {bj::value(10)}}, {}});
  std::string got;
  for (const auto& d : Docs()) {
    if (Matches(e, d)) got += std::string(d.at("name").as_string()) + ",";
  }
  EXPECT_EQ(got, "beta,");  // alpha: count 10 is not < 10; delta: "7" vs 10 compares as text
  EXPECT_STREQ(OpName(Op::kNotIn), "not-in");
  EXPECT_FALSE(Matches(Expr{Expr::Kind::kNot, {}, {}}, Docs()[0]));
}

}  // namespace
}  // namespace opsflow::model
