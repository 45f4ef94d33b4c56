#include "cli/cli.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/api_client.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/format.h"
#include "cli/import.h"
#include "cli/vars.h"

namespace opsflow::cli {
namespace {

namespace bj = boost::json;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() /
            ("opsflow_cli_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++));
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& rel, const std::string& text) {
    fs::path p = path_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

const char kWorkflow[] =
    R"({"name":"WF One","tasks":{"workflow_start":{},"workflow_end":{}},"transitions":{}})";
const char kJst[] = R"({"_id":"5f2d","name":"My JST","incoming":[],"outgoing":[],"steps":[]})";
const char kStub[] = R"({"input":{"variables":{}},"expectedTaskResults":{},"stubTasks":[]})";
const char kForm[] = R"({"id":"x","name":"f","struct":{},"schema":{},"uiSchema":{}})";

TEST(VarsTest, ParsesValuesAsJsonWhenTheyParse) {
  std::string key;
  bj::value v;
  ASSERT_TRUE(ParseVarArg("a=1", &key, &v).ok());
  EXPECT_EQ(key, "a");
  EXPECT_EQ(v, bj::value(1));
  ASSERT_TRUE(ParseVarArg("b=true", &key, &v).ok());
  EXPECT_EQ(v, bj::value(true));
  ASSERT_TRUE(ParseVarArg("c=hello world", &key, &v).ok());
  EXPECT_EQ(v, bj::value("hello world"));
  ASSERT_TRUE(ParseVarArg(R"(d={"x":[1,2]})", &key, &v).ok());
  EXPECT_EQ(v, bj::parse(R"({"x":[1,2]})"));
  ASSERT_TRUE(ParseVarArg(R"(e="007")", &key, &v).ok());
  EXPECT_EQ(v, bj::value("007"));
  ASSERT_TRUE(ParseVarArg("f=", &key, &v).ok());
  EXPECT_EQ(v, bj::value(""));
  ASSERT_TRUE(ParseVarArg("g=a=b", &key, &v).ok());
  EXPECT_EQ(key, "g");
  EXPECT_EQ(v, bj::value("a=b"));
  ASSERT_TRUE(ParseVarArg("h=null", &key, &v).ok());
  EXPECT_TRUE(v.is_null());
  ASSERT_TRUE(ParseVarArg("i={broken", &key, &v).ok());
  EXPECT_EQ(v, bj::value("{broken"));
  EXPECT_FALSE(ParseVarArg("noequals", &key, &v).ok());
  EXPECT_FALSE(ParseVarArg("=x", &key, &v).ok());
}

TEST(VarsTest, VarsFileThenVarOverrides) {
  TempDir dir;
  std::string file = dir.Write("vars.json", R"({"a":1,"b":"x"})");
  auto vars = BuildVariables(file, {"b=2", "c=[1]"});
  ASSERT_TRUE(vars.ok());
  EXPECT_EQ(bj::value(*vars), bj::parse(R"({"a":1,"b":2,"c":[1]})"));
  EXPECT_FALSE(BuildVariables(dir.Write("arr.json", "[1]"), {}).ok());
  EXPECT_FALSE(BuildVariables(dir.Write("bad.json", "{"), {}).ok());
  auto missing = BuildVariables(dir.path() + "/nope.json", {});
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
}

TEST(ImportTest, ClassifiesDocuments) {
  EXPECT_EQ(Classify(bj::parse(kWorkflow)), DocKind::kWorkflow);
  EXPECT_EQ(Classify(bj::parse(kJst)), DocKind::kTransformation);
  EXPECT_EQ(Classify(bj::parse(R"({"_id":"p","components":[]})")), DocKind::kProject);
  EXPECT_EQ(Classify(bj::parse(kStub)), DocKind::kStubFixture);
  EXPECT_EQ(Classify(bj::parse(kForm)), DocKind::kJsonForm);
  EXPECT_EQ(Classify(bj::parse(R"({"name":"x"})")), DocKind::kUnknown);
  EXPECT_EQ(Classify(bj::parse("[1,2]")), DocKind::kUnknown);
  EXPECT_EQ(Classify(bj::parse(R"({"tasks":{}})")), DocKind::kUnknown);
}

TEST(ImportTest, ExpandsDirectoriesRecursivelySorted) {
  TempDir dir;
  dir.Write("b.json", "{}");
  dir.Write("a/z.json", "{}");
  dir.Write("a/c.json", "{}");
  dir.Write("notes.txt", "x");
  std::string single = dir.Write("other.data", "{}");
  std::vector<std::string> errors;
  auto files = ExpandImportPaths({dir.path(), single, dir.path() + "/missing"}, &errors);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files[0], dir.path() + "/a/c.json");
  EXPECT_EQ(files[1], dir.path() + "/a/z.json");
  EXPECT_EQ(files[2], dir.path() + "/b.json");
  EXPECT_EQ(files[3], single);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("missing"), std::string::npos);
}

TEST(ImportTest, PlansFilesByKind) {
  TempDir dir;
  ImportPlan plan;
  AddFileToPlan(dir.Write("wf.json", kWorkflow), &plan);
  AddFileToPlan(dir.Write("jst.json", kJst), &plan);
  AddFileToPlan(dir.Write("stub.json", kStub), &plan);
  AddFileToPlan(dir.Write("broken.json", "{\"a\":"), &plan);
  AddFileToPlan(dir.path() + "/absent.json", &plan);
  ASSERT_EQ(plan.workflows.size(), 1u);
  EXPECT_EQ(plan.workflows[0].name, "WF One");
  ASSERT_EQ(plan.transformations.size(), 1u);
  EXPECT_EQ(plan.transformations[0].name, "My JST");
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_NE(plan.skipped[0].find("stub fixture"), std::string::npos);
  ASSERT_EQ(plan.errors.size(), 2u);
  EXPECT_NE(plan.errors[0].find("not valid JSON"), std::string::npos);
}

TEST(ImportTest, ProjectWorkflowsAreRenamedWithTheirReferences) {
  EXPECT_EQ(ProjectWorkflowName("66d0", "List"), "@66d0: List");
  EXPECT_EQ(ProjectWorkflowName("66d0", "@66d0: List"), "@66d0: List");
  auto project = bj::parse(R"({
    "_id": "66d0bbec21161b4df271749f", "name": "P",
    "components": [
      {"iid": 0, "type": "workflow", "folder": "/", "document": {
        "name": "Parent", "tasks": {
          "a1": {"name": "childJob", "variables": {"incoming": {"workflow": "Child"}}},
          "a2": {"name": "childJob", "variables": {"incoming": {"workflow": "Global One"}}}},
        "transitions": {}}},
      {"iid": 1, "type": "workflow", "document": {"name": "Child", "tasks": {}, "transitions": {}}},
      {"iid": 2, "type": "transformation", "document": {
        "_id": "5f2d", "name": "T", "incoming": [], "outgoing": [], "steps": []}},
      {"iid": 3, "type": "template", "document": {"name": "tpl"}}
    ]})");
  ImportPlan plan;
  AddDocumentToPlan("p.project.json", project, &plan);
  ASSERT_EQ(plan.workflows.size(), 2u);
  EXPECT_EQ(plan.workflows[0].name, "@66d0bbec21161b4df271749f: Parent");
  EXPECT_EQ(plan.workflows[0].doc.at("name"), "@66d0bbec21161b4df271749f: Parent");
  const auto& tasks = plan.workflows[0].doc.at("tasks");
  EXPECT_EQ(tasks.at("a1").at("variables").at("incoming").at("workflow"),
            "@66d0bbec21161b4df271749f: Child");
  EXPECT_EQ(tasks.at("a2").at("variables").at("incoming").at("workflow"), "Global One");
  EXPECT_EQ(plan.workflows[1].name, "@66d0bbec21161b4df271749f: Child");
  ASSERT_EQ(plan.transformations.size(), 1u);
  EXPECT_EQ(plan.transformations[0].doc.at("_id"), "5f2d");
  ASSERT_EQ(plan.skipped.size(), 1u);
  EXPECT_NE(plan.skipped[0].find("'template'"), std::string::npos);

  ImportPlan no_id;
  AddDocumentToPlan("x.project.json", bj::parse(R"({"components":[]})"), &no_id);
  EXPECT_EQ(no_id.errors.size(), 1u);
}

TEST(ImportTest, BatchesStayUnderTheByteLimit) {
  std::vector<ImportItem> items;
  for (int i = 0; i < 5; ++i) {
    items.push_back({"f", "w", bj::object{{"name", std::string(100, 'x')}}});
  }
  auto batches = BatchWorkflows(items, 250, 100);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 2u);
  EXPECT_EQ(batches[2].size(), 1u);
  EXPECT_EQ(BatchWorkflows(items, 1 << 20, 2).size(), 3u);
  EXPECT_EQ(BatchWorkflows(items, 10, 100).size(), 5u);  // each alone when too big
}

TEST(ArgsTest, ParsesStart) {
  ParsedCommand c;
  std::ostringstream out, err;
  ASSERT_EQ(ParseClientArgs({"start", "--var", "a=1", "My WF", "--var", "b=x", "--wait",
                             "--description", "d", "--url", "http://h:1", "--vars", "v.json"},
                            &c, out, err),
            -1)
      << err.str();
  EXPECT_EQ(c.start.workflow, "My WF");
  EXPECT_EQ(c.start.vars, (std::vector<std::string>{"a=1", "b=x"}));
  EXPECT_TRUE(c.start.wait);
  EXPECT_EQ(c.start.description, "d");
  EXPECT_EQ(c.start.vars_file, "v.json");
  EXPECT_EQ(c.url, "http://h:1");
}

TEST(ArgsTest, ParsesOthersAndRejectsMisuse) {
  std::ostringstream out, err;
  ParsedCommand c;
  ASSERT_EQ(ParseClientArgs({"import", "a.json", "dir"}, &c, out, err), -1);
  EXPECT_EQ(c.paths, (std::vector<std::string>{"a.json", "dir"}));
  ParsedCommand j;
  ASSERT_EQ(ParseClientArgs({"jobs", "--status", "error", "--limit", "5"}, &j, out, err), -1);
  EXPECT_EQ(j.jobs.status, "error");
  EXPECT_EQ(j.jobs.limit, 5);
  ParsedCommand one;
  ASSERT_EQ(ParseClientArgs({"job", "abc"}, &one, out, err), -1);
  EXPECT_EQ(one.job_id, "abc");

  ParsedCommand bad;
  EXPECT_EQ(ParseClientArgs({"jobs", "--limit", "5000"}, &bad, out, err), 2);
  EXPECT_EQ(ParseClientArgs({"import"}, &bad, out, err), 2);
  EXPECT_EQ(ParseClientArgs({"frobnicate"}, &bad, out, err), 2);
  EXPECT_EQ(ParseClientArgs({"start", "w", "--bogus"}, &bad, out, err), 2);
  EXPECT_EQ(ParseClientArgs({}, &bad, out, err), 2);
  EXPECT_NE(err.str().find("error:"), std::string::npos);
  std::ostringstream help;
  EXPECT_EQ(ParseClientArgs({"start", "--help"}, &bad, help, err), 0);
  EXPECT_NE(help.str().find("--wait"), std::string::npos);
}

TEST(CommandsTest, BuildsTheStartBodyAndJobsPath) {
  StartArgs s;
  s.workflow = "W";
  s.vars = {"n=3", "s=text"};
  s.description = "why";
  auto body = BuildStartBody(s);
  ASSERT_TRUE(body.ok());
  EXPECT_EQ(
      *body,
      bj::parse(
          R"({"workflow":"W","options":{"variables":{"n":3,"s":"text"},"description":"why"}})"));
  JobsArgs j;
  j.status = "running";
  j.workflow = "A B";
  j.limit = 10;
  EXPECT_EQ(JobsPath(j),
            "/operations-manager/jobs?limit=10&equals%5Bstatus%5D=running&equals%5Bname%5D=A%20B");
}

TEST(ConnectionTest, FlagsOverrideEnvironment) {
  static const char* (*env)(const char*) = [](const char* name) -> const char* {
    std::string n = name;
    if (n == "OPSFLOW_URL") return "http://env:9/";
    if (n == "OPSFLOW_USER") return "envuser";
    if (n == "OPSFLOW_TOKEN") return "tok";
    return nullptr;
  };
  ConnectionSettings s = ResolveConnection("", "", "", "", env);
  EXPECT_EQ(s.url, "http://env:9");
  EXPECT_EQ(s.user, "envuser");
  EXPECT_EQ(s.password, "");
  EXPECT_EQ(s.token, "tok");
  s = ResolveConnection("http://flag:1", "u", "p", "", env);
  EXPECT_EQ(s.url, "http://flag:1");
  EXPECT_EQ(s.user, "u");
  EXPECT_EQ(s.password, "p");
  s = ResolveConnection("", "", "", "", [](const char*) -> const char* { return nullptr; });
  EXPECT_EQ(s.url, "http://127.0.0.1:3000");
}

TEST(FormatTest, ServerMessagesTablesAndJson) {
  EXPECT_EQ(ServerMessage(R"({"message":"Workflow not found","data":null})"), "Workflow not found");
  EXPECT_EQ(ServerMessage("  plain text\n"), "plain text");
  EXPECT_EQ(UrlEncode("a b/[c]"), "a%20b%2F%5Bc%5D");
  EXPECT_EQ(FormatTable({{"ID", "NAME"}, {"1", "long name"}}), "ID  NAME\n1   long name\n");
  EXPECT_EQ(PrettyJson(bj::parse(R"({"a":[1,{}],"b":"x"})")),
            "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x\"\n}");
  bj::value p = 0.4;
  EXPECT_EQ(FormatProgress(&p), "40%");
  bj::value t = 86400000;
  EXPECT_EQ(FormatEpochMs(&t), "1970-01-02 00:00:00Z");
}

TEST(RunTest, UnreachableServerIsOneSentenceAndNonZero) {
  std::ostringstream out, err;
  int rc = RunClientCommand({"jobs", "--url", "http://127.0.0.1:1"}, out, err);
  EXPECT_EQ(rc, 1);
  EXPECT_NE(err.str().find("Cannot reach the opsflow server at http://127.0.0.1:1"),
            std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace opsflow::cli
