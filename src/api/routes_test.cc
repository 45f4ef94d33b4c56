#include "api/routes.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/openapi.h"

namespace opsflow::api {
namespace {

std::vector<std::string_view> Segments(std::string_view pattern) {
  std::vector<std::string_view> out;
  while (!pattern.empty()) {
    pattern.remove_prefix(1);  // the '/'
    size_t end = pattern.find('/');
    out.push_back(pattern.substr(0, end));
    pattern = end == std::string_view::npos ? std::string_view() : pattern.substr(end);
  }
  return out;
}

// Whether some path matches both patterns (":x" matches any one non-empty segment).
bool Overlap(std::string_view a, std::string_view b) {
  std::vector<std::string_view> sa = Segments(a), sb = Segments(b);
  if (sa.size() != sb.size()) return false;
  for (size_t i = 0; i < sa.size(); ++i) {
    bool param = (sa[i].starts_with(':') && !sb[i].empty()) ||
                 (sb[i].starts_with(':') && !sa[i].empty());
    if (!param && sa[i] != sb[i]) return false;
  }
  return true;
}

TEST(Routes, OverlapOfPatterns) {
  EXPECT_TRUE(Overlap("/jobs/:id", "/jobs/start"));
  EXPECT_TRUE(Overlap("/a/:x/c", "/a/b/:y"));
  EXPECT_FALSE(Overlap("/jobs/:id", "/jobs/:id/waiting"));
  EXPECT_FALSE(Overlap("/jobs/pause", "/jobs/start"));
  EXPECT_FALSE(Overlap("/login", "/login/"));
  EXPECT_FALSE(Overlap("/transformations/", "/transformations/:id"));
}

TEST(Routes, RowsAreWellFormedAndUnique) {
  const std::vector<Route>& all = AllRoutes();
  ASSERT_GT(all.size(), 50u);
  std::set<std::pair<std::string, std::string>> seen;
  for (const Route& r : all) {
    std::string method = r.method;
    EXPECT_TRUE(method == "GET" || method == "POST" || method == "PUT" || method == "PATCH" ||
                method == "DELETE")
        << method;
    EXPECT_TRUE(std::string_view(r.pattern).starts_with("/")) << r.pattern;
    EXPECT_NE(r.fn, nullptr) << r.pattern;
    EXPECT_TRUE(seen.emplace(method, r.pattern).second) << "twice: " << method << " " << r.pattern;
  }
}

// The files' rows are concatenated in a fixed order and the first match wins; apart from the
// rows listed in kShadows no two rows of one method overlap, so that order decides nothing. A
// route that must shadow another (a literal segment before a parameter) has to sit before it:
// list it here when you add one.
TEST(Routes, NoRowShadowsAnother) {
  const std::set<std::pair<std::string, std::string>> kShadows = {
      {"/transformations/import", "/transformations/:id"},  // POST: import before run
  };
  const std::vector<Route>& all = AllRoutes();
  for (size_t i = 0; i < all.size(); ++i) {
    for (size_t j = i + 1; j < all.size(); ++j) {
      if (std::string_view(all[i].method) != all[j].method) continue;
      if (kShadows.contains({all[i].pattern, all[j].pattern})) continue;
      EXPECT_FALSE(Overlap(all[i].pattern, all[j].pattern))
          << all[i].method << " " << all[i].pattern << " and " << all[j].pattern;
    }
  }
}

TEST(Routes, RouteTableIsTheDispatchRows) {
  const std::vector<Route>& all = AllRoutes();
  const std::vector<RouteInfo>& info = RouteTable();
  ASSERT_EQ(info.size(), all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_STREQ(info[i].method, all[i].method);
    EXPECT_STREQ(info[i].pattern, all[i].pattern);
    EXPECT_EQ(info[i].auth, all[i].auth) << all[i].pattern;
  }
}

}  // namespace
}  // namespace opsflow::api
