// The JSTs of the real IAP exports in ../shared/corpus: every one runs on inputs derived from
// its incoming schemas without crashing, and the ones whose results the fixtures imply
// return them.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tasks/jst/jst.h"
#include "tasks/jst/lib.h"

namespace opsflow::tasks::jst {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

fs::path CorpusDir() {
  if (const char* env = std::getenv("OPSFLOW_CORPUS")) return env;
  for (fs::path p : {fs::path("../shared/corpus"), fs::path("/work/shared/corpus")}) {
    if (fs::is_directory(p)) return p;
  }
  return {};
}

std::vector<fs::path> CorpusJsts() {
  std::vector<fs::path> out;
  fs::path dir = CorpusDir();
  if (dir.empty()) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().find("__transformations__") != std::string::npos) {
      out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

bj::object Load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return bj::parse(ss.str()).as_object();
}

bj::object LoadNamed(const std::string& part) {
  for (const fs::path& p : CorpusJsts()) {
    if (p.filename().string().find(part) != std::string::npos) return Load(p);
  }
  ADD_FAILURE() << "no corpus JST named " << part;
  return {};
}

// A value that satisfies `schema` as far as we can tell: an example, the default, or one
// built from the type.
bj::value Sample(const bj::value& schema, int depth) {
  if (!schema.is_object() || depth > 12) return nullptr;
  const bj::object& s = schema.get_object();
  if (const bj::value* ex = s.if_contains("examples");
      ex && ex->is_array() && !ex->as_array().empty()) {
    return ex->as_array()[0];
  }
  if (const bj::value* d = s.if_contains("default")) return *d;
  std::string type;
  if (const bj::value* t = s.if_contains("type")) {
    if (t->is_string()) type = t->get_string();
    if (t->is_array() && !t->as_array().empty() && t->as_array()[0].is_string()) {
      type = t->as_array()[0].get_string();
    }
  }
  if (type == "object" || (type.empty() && s.contains("properties"))) {
    bj::object o;
    if (const bj::value* props = s.if_contains("properties"); props && props->is_object()) {
      for (const auto& kv : props->get_object()) o[kv.key()] = Sample(kv.value(), depth + 1);
    }
    return o;
  }
  if (type == "array") {
    bj::array a;
    if (const bj::value* items = s.if_contains("items"); items && items->is_object()) {
      a.push_back(Sample(*items, depth + 1));
    }
    return a;
  }
  if (type == "string") {
    const bj::value* f = s.if_contains("format");
    if (f && *f == "ipv4") return "1.2.3.4";
    if (f && *f == "uuid") return "3fd9cf87-17ff-44b3-afc8-461c115bc5c8";
    return "x";
  }
  if (type == "number" || type == "integer") return 1;
  if (type == "boolean") return true;
  return nullptr;
}

bj::object SampleInputs(const bj::object& jst) {
  bj::object in;
  if (const bj::value* list = jst.if_contains("incoming"); list && list->is_array()) {
    for (const bj::value& s : list->get_array()) {
      in[s.at("$id").as_string()] = Sample(s, 0);
    }
  }
  return in;
}

void CollectMethods(const bj::object& doc, std::set<std::string>& out) {
  for (const bj::value& s : doc.at("steps").as_array()) {
    const bj::object& step = s.as_object();
    std::string type(step.at("type").as_string());
    if (type == "method" || type == "declaration" || type == "template") {
      out.insert(std::string(step.at("library").as_string()) + "." +
                 std::string(step.at("method").as_string()));
    }
  }
  for (const bj::value& f : doc.at("functions").as_array()) CollectMethods(f.as_object(), out);
}

// Every library method the corpus calls is implemented: 53 methods, 8 declarations and the
// template literal.
TEST(JstCorpus, EveryCorpusMethodIsImplemented) {
  std::vector<fs::path> files = CorpusJsts();
  if (files.empty()) GTEST_SKIP() << "corpus not found";
  std::set<std::string> methods;
  for (const fs::path& p : files) CollectMethods(Load(p), methods);
  EXPECT_EQ(methods.size(), 62u);
  for (const std::string& m : methods) {
    size_t dot = m.find('.');
    if (m == "String.templateLiteral") continue;  // template steps, run by the runtime
    EXPECT_NE(internal::FindMethod(m.substr(0, dot), m.substr(dot + 1)), nullptr) << m;
  }
}

TEST(JstCorpus, EveryJstRunsOnSampleInputs) {
  std::vector<fs::path> files = CorpusJsts();
  if (files.empty()) GTEST_SKIP() << "corpus not found";
  EXPECT_EQ(files.size(), 41u);
  int ok = 0;
  for (const fs::path& p : files) {
    bj::object jst = Load(p);
    bj::object in = SampleInputs(jst);
    for (bool validate : {false, true}) {
      JstOptions opts;
      opts.validate_incoming = validate;
      opts.revert_to_default = true;
      opts.now_ms = 1709928780210;
      auto r = RunJst(jst, in, opts);
      if (r.ok()) {
        ++ok;
        continue;
      }
      // A failure must be a clear error about the data, never an unknown method or a bug.
      EXPECT_NE(r.status().code(), base::Code::kInternal) << p << ": " << r.status().message();
      EXPECT_EQ(r.status().message().find("Unknown JST"), std::string::npos)
          << p << ": " << r.status().message();
      EXPECT_FALSE(r.status().message().empty());
    }
  }
  EXPECT_GE(ok, 60) << "most corpus JSTs should succeed on sample inputs";
}

// Hostile inputs (wrong types everywhere) end in a result or an error, never a crash.
TEST(JstCorpus, EveryJstSurvivesWrongInputs) {
  std::vector<fs::path> files = CorpusJsts();
  if (files.empty()) GTEST_SKIP() << "corpus not found";
  const char* kValues[] = {"null",  "0",           "\"\"",
                           "[]",    "{}",          "[null]",
                           "[[1]]", "\"a,b\\nc\"", "{\"response\":{\"items\":[{}]}}",
                           "-1e300"};
  for (const fs::path& p : files) {
    bj::object jst = Load(p);
    for (const char* v : kValues) {
      bj::object in;
      for (const bj::value& s : jst.at("incoming").as_array())
        in[s.at("$id").as_string()] = bj::parse(v);
      JstOptions opts;
      opts.max_steps = 100000;
      auto r = RunJst(jst, in, opts);
      if (!r.ok()) {
        EXPECT_NE(r.status().code(), base::Code::kInternal) << p << r.status().message();
      }
    }
  }
}

// Damaged documents (a step removed, a step's arguments or pointers replaced, the functions
// dropped) end in a result or a clear error, never a crash.
TEST(JstCorpus, EveryJstSurvivesMutations) {
  std::vector<fs::path> files = CorpusJsts();
  if (files.empty()) GTEST_SKIP() << "corpus not found";
  const char* kArgs[] = {"[]", "[null, null, null, null, null]", "[{}, [], 1, \"x\", true]"};
  int runs = 0;
  for (const fs::path& p : files) {
    const bj::object jst = Load(p);
    const bj::object in = SampleInputs(jst);
    auto run = [&](const bj::object& doc) {
      auto r = RunJst(doc, in, {});
      if (!r.ok()) {
        EXPECT_NE(r.status().code(), base::Code::kInternal) << p << r.status().message();
      }
      ++runs;
    };
    bj::object no_functions = jst;
    no_functions["functions"] = bj::array();
    run(no_functions);
    const size_t n = jst.at("steps").as_array().size();
    for (size_t i = 0; i < n; ++i) {
      bj::object removed = jst;
      bj::array& steps = removed["steps"].as_array();
      steps.erase(steps.begin() + static_cast<std::ptrdiff_t>(i));
      run(removed);
      for (const char* args : kArgs) {
        bj::object changed = jst;
        bj::object& step = changed["steps"].as_array()[i].as_object();
        if (step.contains("args")) step["args"] = bj::parse(args);
        if (step.contains("from")) step["from"].as_object()["ptr"] = "/return/0/x";
        if (step.contains("to")) step["to"].as_object()["ptr"] = "/args/7/value/deep";
        run(changed);
      }
    }
  }
  EXPECT_GT(runs, 1000);
}

bj::object RunCase(const bj::object& jst, const char* inputs, int64_t now_ms = 0) {
  JstOptions opts;
  opts.validate_incoming = true;
  opts.revert_to_default = true;
  opts.now_ms = now_ms;
  auto r = RunJst(jst, bj::parse(inputs).as_object(), opts);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : bj::object();
}

bj::value J(const char* text) { return bj::parse(text); }

TEST(JstCorpus, BuildVpcFilter) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out = RunCase(LoadNamed("Build_VPC_Filter"), R"({"vpcId": "vpc-0abc"})");
  EXPECT_EQ(bj::value(out), J(R"({"vpcFilter": [{"Name": "vpc-id", "Value": "vpc-0abc"}]})"));
}

// The stub of "Run Get Available Disk Space" returns this script output (20.24 GiB free).
TEST(JstCorpus, CheckAvailableDiskSpace) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out = RunCase(LoadNamed("Check_Available_Disk_Space"), R"({"availableDiskResponse":
      {"scriptResult": {"response": {"userScriptTaskStatuses": [
        {"output": "  \"vg-db-vda\" 39.79 GiB [19.54 GiB used / 20.24 GiB free]\n",
         "status": "FINISHED", "address": "1.2.3.4"}]}}}})");
  EXPECT_EQ(bj::value(out), J(R"({"enoughDiskSpaceFree": true, "diskSpaceMessage":
      "\nDevice at 1.2.3.4: Disk has 20.24 GiB free. Disk must have at least 15 GiB free.\n"})"));
  out = RunCase(LoadNamed("Check_Available_Disk_Space"), R"({"availableDiskResponse":
      {"scriptResult": {"response": {"userScriptTaskStatuses": [
        {"output": " \"vg\" 39.79 GiB [30 GiB used / 9.5 GiB free]\n", "address": "a"},
        {"output": " \"vg\" 39.79 GiB [1 GiB used / 38 GiB free]\n", "address": "b"}]}}}})");
  EXPECT_EQ(out.at("enoughDiskSpaceFree"), J("false"));
}

// The stub of "Run Get License Service Check" returns "Service Check Date ... 2023/05/16".
TEST(JstCorpus, CompareLicenseServiceCheckDate) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  const char* in = R"({"licenseCheckResults": {"scriptResult": {"response": {
      "userScriptTaskStatuses": [{"output": "Service Check Date               2023/05/16\n",
                                  "status": "FINISHED", "address": "1.2.3.4"}]}}}})";
  bj::object jst = LoadNamed("Compare_BIG-IP_License_Service_Check_Date");
  // The fixture ran on 2024-03-08, after the service check date.
  EXPECT_EQ(bj::value(RunCase(jst, in, 1709928780210)), J(R"({"licenseDatesValid": false})"));
  EXPECT_EQ(bj::value(RunCase(jst, in, 1672531200000)), J(R"({"licenseDatesValid": true})"));
}

TEST(JstCorpus, ChunkArray) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out =
      RunCase(LoadNamed("Chunk_Array"), R"({"originalArray": [1, 2, 3, 4, 5], "chunkSize": 2})");
  EXPECT_EQ(bj::value(out), J(R"({"splitArray": [[1, 2], [3, 4], [5]]})"));
}

TEST(JstCorpus, GroupRecordsByProperty) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out =
      RunCase(LoadNamed("Group_Records_by_Property"),
              R"({"array": [{"name": "a", "v": 1}, {"name": "b"}, {"name": "a", "v": 2}],
                           "groupByProperty": "name"})");
  EXPECT_EQ(bj::value(out), J(R"({"output": {"a": [{"name": "a", "v": 1}, {"name": "a", "v": 2}],
                                             "b": [{"name": "b"}]}})"));
}

TEST(JstCorpus, GetValueFromJsonPointer) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object jst = LoadNamed("Get_Value_From_JSON_Pointer");
  EXPECT_EQ(bj::value(RunCase(jst, R"({"jsonPointer": "/a/b/1", "obj": {"a": {"b": [5, 6]}}})")),
            J(R"({"value": 6})"));
}

TEST(JstCorpus, FilterArrayOfObjectsByKeyValuePair) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object jst = LoadNamed("Filter_Array_of_Objects");
  bj::object out =
      RunCase(jst, R"({"filterableArray": [{"k": 1, "n": "a"}, {"k": 2}, {"k": 1, "n": "c"}],
                                "keyToFilterOn": "k", "valueToFind": 1, "discardMatching": false})");
  EXPECT_EQ(bj::value(out), J(R"({"filteredArray": [{"k": 1, "n": "a"}, {"k": 1, "n": "c"}],
                                  "firstFilteredElement": {"k": 1, "n": "a"}})"));
  out = RunCase(jst, R"({"filterableArray": [{"k": 1, "n": "a"}, {"k": 2}], "keyToFilterOn": "k",
                     "valueToFind": 1, "discardMatching": true})");
  EXPECT_EQ(out.at("filteredArray"), J(R"([{"k": 2}])"));
}

TEST(JstCorpus, ConvertCsvToJson) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out = RunCase(LoadNamed("Convert_CSV_to_JSON"), R"({"csv": "a,b\n1,2\n3,4"})");
  EXPECT_EQ(bj::value(out), J(R"({"json": [{"a": "1", "b": "2"}, {"a": "3", "b": "4"}]})"));
}

TEST(JstCorpus, ParseNumber) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object jst = LoadNamed("Parse_Number");
  bj::object out = RunCase(jst, R"({"keysToConvert": [], "data": [{"a": "1.5", "b": "x"}]})");
  EXPECT_EQ(bj::value(out), J(R"({"output": [{"a": 1.5, "b": "x"}]})"));
  out = RunCase(jst, R"({"keysToConvert": ["a"], "data": {"a": "2", "b": "3"}})");
  EXPECT_EQ(bj::value(out), J(R"({"output": {"a": 2, "b": "3"}})"));
}

TEST(JstCorpus, ProcessInstanceStatusUsesQuery) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object out = RunCase(LoadNamed("Process_Instance_Status"), R"({"describeInstanceResponse":
      {"response": {"DescribeInstanceStatusResponse": {"instanceStatusSet": {"item": [
        {"instanceState": {"name": "running"}, "systemStatus": {"status": "ok"},
         "instanceStatus": {"status": "ok"}}]}}}}})");
  EXPECT_EQ(bj::value(out), J(R"({"launchComplete": true})"));
}

// The only public JST with a `context` (switch) step (IAP-REFERENCE §7): `reason` is switched
// on its JS type; case 1 ("string") passes it through, case 2 ("object") joins an array with
// ", " and writes anything else as JSON text; any other type matches no case.
TEST(JstCorpus, StandardOutputSwitch) {
  if (CorpusJsts().empty()) GTEST_SKIP();
  bj::object jst = LoadNamed("Standard_Output");
  EXPECT_EQ(bj::value(RunCase(jst, R"({"success": true, "reason": "boom"})")),
            J(R"({"success": true, "reason": "boom", "type": "string"})"));
  EXPECT_EQ(bj::value(RunCase(jst, R"({"success": false, "reason": ["a", "b"]})")),
            J(R"({"success": false, "reason": "a, b", "type": "object"})"));
  EXPECT_EQ(bj::value(RunCase(jst, R"({"success": false, "reason": {"k": 1, "m": [2, "x"]}})")),
            J(R"({"success": false, "reason": "{\"k\":1,\"m\":[2,\"x\"]}", "type": "object"})"));
  // A number matches no case: reason stays unset (it has no default).
  JstOptions opts;
  opts.revert_to_default = true;
  auto r = RunJst(jst, bj::parse(R"({"success": true, "reason": 5})").as_object(), opts);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(bj::value(*r), J(R"({"success": true, "type": "number"})"));
}

}  // namespace
}  // namespace opsflow::tasks::jst
