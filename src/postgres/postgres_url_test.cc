// The store's pure helpers: which URLs name PostgreSQL, how they are shown in logs, and how the
// contract factory names its databases. (In postgres_test, which runs under
// scripts/pg-test-server; they need no server themselves.)
#include <gtest/gtest.h>

#include "postgres/pg_conn.h"
#include "postgres/postgres_store.h"
#include "postgres/testing/postgres_factory.h"

namespace opsflow::postgres {
namespace {

TEST(PostgresUrl, NamesPostgres) {
  EXPECT_TRUE(IsPostgresUrl("postgres://u:p@h:5432/db"));
  EXPECT_TRUE(IsPostgresUrl("postgresql://h/db?sslmode=require"));
  EXPECT_FALSE(IsPostgresUrl("./data"));
  EXPECT_FALSE(IsPostgresUrl("sqlite:///x"));
  EXPECT_FALSE(IsPostgresUrl("host=h dbname=d"));
}

TEST(PostgresUrl, RedactsThePassword) {
  EXPECT_EQ(RedactUrl("postgres://opsflow:s3cret@db:5432/ops?sslmode=require"),
            "postgres://opsflow:***@db:5432/ops?sslmode=require");
  EXPECT_EQ(RedactUrl("postgres://opsflow@db/ops"), "postgres://opsflow@db/ops");
  EXPECT_EQ(RedactUrl("postgres://db:5432/ops"), "postgres://db:5432/ops");
}

TEST(PostgresUrl, WithDatabaseReplacesOnlyThePath) {
  using testing::WithDatabase;
  EXPECT_EQ(WithDatabase("postgres://u@127.0.0.1:5/postgres", "x"), "postgres://u@127.0.0.1:5/x");
  EXPECT_EQ(WithDatabase("postgres://u@h:5/postgres?sslmode=disable", "x"),
            "postgres://u@h:5/x?sslmode=disable");
  EXPECT_EQ(WithDatabase("postgres://u@h:5", "x"), "postgres://u@h:5/x");
  EXPECT_EQ(WithDatabase("postgres://u@h?a=b", "x"), "postgres://u@h/x?a=b");
}

TEST(PostgresParams, NumbersAreExactText) {
  Params p;
  p.Add(0.1).Add(int64_t{-42}).AddMs(0).AddMs(17).Add(1.0 / 3);
  std::vector<const char*> v = p.Pointers();
  ASSERT_EQ(v.size(), 5u);
  EXPECT_STREQ(v[0], "0.1");
  EXPECT_STREQ(v[1], "-42");
  EXPECT_EQ(v[2], nullptr);
  EXPECT_STREQ(v[3], "17");
  EXPECT_EQ(std::stod(v[4]), 1.0 / 3);
}

}  // namespace
}  // namespace opsflow::postgres
