#include "api/respond.h"

#include <gtest/gtest.h>

namespace opsflow::api {
namespace {

// Scenario tests compare reply bodies byte for byte: the keys stay in this order.
TEST(Envelope, MessageDataMetadataInOrder) {
  EXPECT_EQ(bj::serialize(Envelope("done", bj::array{1, "x"})),
            R"({"message":"done","data":[1,"x"],"metadata":{}})");
  EXPECT_EQ(bj::serialize(Envelope("m", nullptr, bj::object{{"total", 2}})),
            R"({"message":"m","data":null,"metadata":{"total":2}})");
}

TEST(Envelope, Response) {
  Response r = EnvelopeResponse(400, "bad \"input\"", bj::object{{"k", "v"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.content_type, "application/json; charset=utf-8");
  EXPECT_EQ(r.body, R"({"message":"bad \"input\"","data":{"k":"v"},"metadata":{}})");
}

}  // namespace
}  // namespace opsflow::api
