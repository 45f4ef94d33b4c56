#include "runtime/secrets.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/secrets.h"
#include "runtime/runtime.h"

namespace opsflow::runtime {
namespace {
namespace bj = boost::json;

// A fake box: "reversed plaintext@aad". Open checks the aad; `fail` makes every Open fail.
class FakeBox : public store::SecretBox {
 public:
  std::string Seal(std::string_view plain, std::string_view aad) const override {
    return std::string(plain.rbegin(), plain.rend()) + "@" + std::string(aad);
  }
  base::Result<std::string> Open(std::string_view sealed, std::string_view aad) const override {
    size_t at = sealed.rfind('@');
    if (fail || at == sealed.npos || sealed.substr(at + 1) != aad) {
      return base::InvalidArgument("does not open");
    }
    return std::string(sealed.rbegin() + (sealed.size() - at), sealed.rend());
  }
  bool fail = false;
};

std::shared_ptr<const model::Workflow> Wf(const char* decorators) {
  bj::object doc = bj::parse(R"({"name":"w","tasks":{"workflow_start":{},"workflow_end":{}},
    "transitions":{}})")
                       .as_object();
  if (decorators) doc["decorators"] = bj::parse(decorators);
  return *model::Workflow::FromJson(doc);
}

constexpr const char* kPassword = R"([{"type":"encryption","pointer":"/variables/password"}])";

class SealBatchTest : public ::testing::Test {
 protected:
  store::WriteBatch Batch() {
    store::WriteBatch wb;
    model::JobRecord r;
    r.id = "job1";
    r.variables_json = bj::serialize(vars_);
    r.errors_json = R"([{"task":"t","message":"login hunter22 refused"}])";
    r.description = "for hunter22";
    wb.new_jobs.push_back(r);
    store::JobUpdate u;
    u.id = "job1";
    u.variables_json = bj::serialize(vars_);
    wb.job_updates.push_back(u);
    model::IterationRecord it;
    it.job_id = "job1";
    it.incoming_json = R"({"body":{"p":"hunter22"},"user":"bob"})";
    it.outgoing_json = R"({"echo":"Bearer hunter22"})";
    it.error = "bad hunter22";
    wb.iterations.push_back(it);
    return wb;
  }
  FindJob Finder() {
    return [this](const std::string& id) -> std::optional<JobView> {
      if (id != "job1") return std::nullopt;
      return JobView{wf_.get(), &vars_};
    };
  }
  FakeBox box_;
  std::shared_ptr<const model::Workflow> wf_ = Wf(kPassword);
  bj::object vars_ =
      bj::parse(R"({"password":"hunter22","user":"bob","copy":"hunter22"})").as_object();
};

TEST_F(SealBatchTest, NothingClearReachesTheStore) {
  store::WriteBatch wb = Batch();
  SealBatch(&wb, &box_, Finder());
  std::string all = wb.new_jobs[0].variables_json + wb.new_jobs[0].errors_json +
                    wb.new_jobs[0].description + *wb.job_updates[0].variables_json +
                    wb.iterations[0].incoming_json + wb.iterations[0].outgoing_json +
                    wb.iterations[0].error;
  EXPECT_EQ(all.find("hunter22"), std::string::npos) << all;
  EXPECT_NE(all.find("bob"), std::string::npos);
  EXPECT_EQ(wb.new_jobs[0].errors_json, R"([{"task":"t","message":"login **** refused"}])");
  EXPECT_EQ(wb.iterations[0].error, "bad ****");
}

TEST_F(SealBatchTest, RecoveryOpensWhatWasSealed) {
  store::WriteBatch wb = Batch();
  SealBatch(&wb, &box_, Finder());
  bj::object vars = bj::parse(wb.new_jobs[0].variables_json).as_object();
  OpenSealed(&vars, "/variables", &box_, "job1");
  EXPECT_EQ(vars, vars_);
  bj::object out = bj::parse(wb.iterations[0].outgoing_json).as_object();
  OpenSealed(&out, "/variables/outgoing", &box_, "job1");
  EXPECT_EQ(out, bj::parse(R"({"echo":"Bearer hunter22"})").as_object());
}

TEST_F(SealBatchTest, AValueMovedElsewhereDoesNotOpen) {
  store::WriteBatch wb = Batch();
  SealBatch(&wb, &box_, Finder());
  bj::object vars = bj::parse(wb.new_jobs[0].variables_json).as_object();
  vars["other"] = vars["password"];
  OpenSealed(&vars, "/variables", &box_, "job1");
  EXPECT_EQ(vars["password"], "hunter22");
  EXPECT_TRUE(model::IsSealed(vars["other"]));
}

TEST_F(SealBatchTest, WrongKeyLeavesValuesSealed) {
  store::WriteBatch wb = Batch();
  SealBatch(&wb, &box_, Finder());
  bj::object vars = bj::parse(wb.new_jobs[0].variables_json).as_object();
  box_.fail = true;
  OpenSealed(&vars, "/variables", &box_, "job1");
  EXPECT_TRUE(model::IsSealed(vars["password"]));
  MaskStoredVariables(&vars, *wf_);
  EXPECT_EQ(vars["password"], "****");
  EXPECT_EQ(vars["user"], "bob");
}

TEST_F(SealBatchTest, JobsWithoutDecoratorsAreUntouched) {
  wf_ = Wf(nullptr);
  store::WriteBatch wb = Batch();
  store::WriteBatch before = Batch();
  SealBatch(&wb, &box_, Finder());
  EXPECT_EQ(wb.new_jobs[0].variables_json, before.new_jobs[0].variables_json);
  EXPECT_EQ(wb.iterations[0].incoming_json, before.iterations[0].incoming_json);
}

TEST_F(SealBatchTest, WithoutABoxSecretsAreStoredMasked) {
  store::WriteBatch wb = Batch();
  SealBatch(&wb, nullptr, Finder());
  EXPECT_EQ(bj::parse(wb.new_jobs[0].variables_json),
            bj::parse(R"({"password":"****","user":"bob","copy":"****"})"));
}

TEST(MaskSnapshot, MasksVariablesErrorsAndDescription) {
  JobSnapshot snap;
  snap.workflow = Wf(R"([{"type":"encryption","pointer":"/variables/creds/0"}])");
  snap.variables = bj::parse(R"({"creds":["s3cret-1","x"],"c":"s3cret-1"})").as_object();
  snap.errors = bj::parse(R"([{"message":"s3cret-1 rejected"}])").as_array();
  snap.record.description = "uses s3cret-1";
  MaskSnapshot(&snap);
  EXPECT_EQ(snap.variables, bj::parse(R"({"creds":["****","x"],"c":"****"})").as_object());
  EXPECT_EQ(snap.errors, bj::parse(R"([{"message":"**** rejected"}])").as_array());
  EXPECT_EQ(snap.record.description, "uses ****");
}

TEST(MaskValues, MasksCopiesInATasksValues) {
  auto wf = Wf(kPassword);
  bj::object vars = bj::parse(R"({"password":"hunter22"})").as_object();
  bj::object in = bj::parse(R"({"a":"hunter22","b":"ok"})").as_object();
  EXPECT_EQ(MaskValues(in, *wf, vars), bj::parse(R"({"a":"****","b":"ok"})").as_object());
}

}  // namespace
}  // namespace opsflow::runtime
