#include "model/start_check.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::model {
namespace {

std::shared_ptr<const Workflow> WithSchema(const char* schema) {
  auto doc = boost::json::parse(std::string(R"({"name":"w","tasks":{
    "workflow_start":{"name":"workflow_start"},"workflow_end":{"name":"workflow_end"}},
    "transitions":{"workflow_start":{"workflow_end":{"type":"standard","state":"success"}}},
    "inputSchema":)") + schema + "}");
  auto wf = Workflow::FromJson(std::move(doc.as_object()));
  EXPECT_TRUE(wf.ok());
  return *wf;
}

// Issue 10: the job's own _id and initiator count as present; nothing else is excused.
TEST(CheckStartable, IdAndInitiatorCountAsPresent) {
  auto wf = WithSchema(R"({"type":"object","required":["_id","initiator","device"],
    "properties":{"_id":{"type":"string"},"initiator":{"type":"string"}}})");
  struct Row {
    const char* vars;
    bool ok;
  } rows[] = {
      {R"({"device":"r1"})", true},
      {R"({"device":"r1","_id":"abc"})", true},
      {R"({})", false},                       // device is still required
      {R"({"device":"r1","_id":7})", false},  // a given _id must fit the schema
      {R"({"device":"r1","initiator":[]})", false},
  };
  for (const Row& r : rows) {
    std::vector<json::SchemaError> errs;
    base::Status st = CheckStartable(*wf, boost::json::parse(r.vars).as_object(), &errs);
    EXPECT_EQ(st.ok(), r.ok) << r.vars << ": " << st.message();
    EXPECT_EQ(errs.empty(), r.ok) << r.vars;
  }
}

TEST(CheckStartable, SchemaTypingTheIdsDifferentlyStillFails) {
  auto wf = WithSchema(R"({"type":"object","required":["_id"],
    "properties":{"_id":{"type":"number"}}})");
  EXPECT_FALSE(CheckStartable(*wf, {}).ok());
}

}  // namespace
}  // namespace opsflow::model
