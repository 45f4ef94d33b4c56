// The registry's kinds and ClassifyTask: which kind each workflow task is.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tasks/task.h"

namespace opsflow::tasks {
namespace {

TEST(Registry, KnowsEveryWorkflowEngineMethodOfSpec) {
  // The validator's list of known methods before it was derived from the registry.
  const std::set<std::string> kKnown = {"evaluation",
                                        "ViewData",
                                        "transformation",
                                        "query",
                                        "childJob",
                                        "stub",
                                        "merge",
                                        "deepmerge",
                                        "newVariable",
                                        "makeData",
                                        "setObjectKey",
                                        "push",
                                        "pop",
                                        "shift",
                                        "delay",
                                        "arrayLength",
                                        "arrayPush",
                                        "arrayIndexOf",
                                        "forEach",
                                        "replace",
                                        "parse",
                                        "join",
                                        "getTime",
                                        "stringConcat",
                                        "calculateTimeDiff",
                                        "modify",
                                        "substring",
                                        "stringLength",
                                        "numberToString",
                                        "updateJobDescription",
                                        "restCall",
                                        "ErrorHandling",
                                        "getJobs",
                                        "getTasks",
                                        "ViewHTML"};
  std::set<std::string> got;
  for (const TaskDescriptor& d : AllMethods()) {
    EXPECT_TRUE(got.insert(std::string(d.method)).second) << "twice: " << d.method;
    EXPECT_EQ(FindMethod(d.method), &d) << d.method;
    // A Run function exactly for the built-ins the runtime hands to a worker.
    bool builtin = d.kind == TaskKind::kPure || d.kind == TaskKind::kExternal;
    EXPECT_EQ(d.run != nullptr, builtin) << d.method;
    EXPECT_EQ(FindBuiltin(d.method), builtin ? &d : nullptr) << d.method;
    EXPECT_EQ(d.reads_transformation, d.method == "transformation") << d.method;
    EXPECT_NE(d.kind, TaskKind::kUnknown) << d.method;
    EXPECT_NE(d.kind, TaskKind::kBoundary) << d.method;
    EXPECT_NE(d.kind, TaskKind::kAdapter) << d.method;
  }
  EXPECT_EQ(got, kKnown);
  EXPECT_EQ(FindMethod("nope"), nullptr);
  EXPECT_EQ(FindMethod("childjob"), nullptr);
  EXPECT_EQ(FindMethod(""), nullptr);
}

TEST(Registry, KindsOfTheMethodsTheRuntimeRuns) {
  EXPECT_EQ(FindMethod("query")->kind, TaskKind::kPure);
  EXPECT_EQ(FindMethod("restCall")->kind, TaskKind::kExternal);
  EXPECT_EQ(FindMethod("forEach")->kind, TaskKind::kForEach);
  EXPECT_EQ(FindMethod("childJob")->kind, TaskKind::kChildJob);
  EXPECT_EQ(FindMethod("getJobs")->kind, TaskKind::kJobQuery);
  EXPECT_EQ(FindMethod("getTasks")->kind, TaskKind::kJobQuery);
  EXPECT_EQ(FindMethod("ViewData")->kind, TaskKind::kManual);
  EXPECT_EQ(FindMethod("ViewHTML")->kind, TaskKind::kManual);
  EXPECT_EQ(FindMethod("ErrorHandling")->kind, TaskKind::kManual);
  EXPECT_EQ(FindMethod("deepmerge")->kind, TaskKind::kNotBuiltIn);
}

model::TaskDef Def(std::string id, std::string method, std::string location, bool manual) {
  model::TaskDef d;
  d.id = std::move(id);
  d.method = std::move(method);
  d.app = "WorkFlowEngine";
  d.location = std::move(location);
  d.type = manual ? "manual" : "automatic";
  d.is_start = d.id == "workflow_start";
  d.is_end = d.id == "workflow_end";
  d.is_for_each = d.method == "forEach";  // as model::Workflow compiles it
  d.is_manual = manual;
  return d;
}

TEST(ClassifyTask, Table) {
  struct Case {
    const char* id;
    const char* method;
    const char* location;
    bool manual;
    TaskKind want;
  };
  constexpr const char* kApp = "Application";
  constexpr const char* kAdapter = "Adapter";
  const Case cases[] = {
      // Boundaries by id, whatever else they say.
      {"workflow_start", "", "", false, TaskKind::kBoundary},
      {"workflow_end", "", "", false, TaskKind::kBoundary},
      {"workflow_start", "query", kAdapter, true, TaskKind::kBoundary},
      // Built-ins by method; restCall reaches outside the job.
      {"a1", "query", kApp, false, TaskKind::kPure},
      {"a1", "transformation", kApp, false, TaskKind::kPure},
      {"a1", "push", "", false, TaskKind::kPure},
      {"a1", "restCall", kApp, false, TaskKind::kExternal},
      // Runtime tasks.
      {"a1", "forEach", kApp, false, TaskKind::kForEach},
      {"a1", "forEach", kApp, true, TaskKind::kForEach},  // forEach before manual
      {"a1", "childJob", kApp, false, TaskKind::kChildJob},
      {"a1", "getJobs", kApp, false, TaskKind::kJobQuery},
      {"a1", "getTasks", kApp, false, TaskKind::kJobQuery},
      // Manual by type, whatever the method and location.
      {"a1", "ViewData", kApp, true, TaskKind::kManual},
      {"a1", "ErrorHandling", kApp, true, TaskKind::kManual},
      {"a1", "anything", kApp, true, TaskKind::kManual},
      {"a1", "childJob", kApp, true, TaskKind::kManual},
      {"a1", "query", kAdapter, true, TaskKind::kManual},
      // Adapter by location, whatever the method.
      {"a1", "getDevices", kAdapter, false, TaskKind::kAdapter},
      {"a1", "query", kAdapter, false, TaskKind::kAdapter},
      {"a1", "childJob", kAdapter, false, TaskKind::kAdapter},
      {"a1", "forEach", kAdapter, false, TaskKind::kAdapter},
      {"a1", "getJobs", kAdapter, false, TaskKind::kAdapter},
      // Nothing runs these.
      {"a1", "ViewData", kApp, false, TaskKind::kUnknown},  // a view needs type manual
      {"a1", "deepmerge", kApp, false, TaskKind::kUnknown},
      {"a1", "nope", kApp, false, TaskKind::kUnknown},
      {"a1", "Query", kApp, false, TaskKind::kUnknown},
      {"a1", "", "", false, TaskKind::kUnknown},
      {"a1", "query", "adapter", false, TaskKind::kPure},  // the location is case-sensitive
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyTask(Def(c.id, c.method, c.location, c.manual)), c.want)
        << c.id << " " << c.method << " " << c.location << " manual=" << c.manual;
  }
}

TEST(ClassifyTask, AtAdapter) {
  EXPECT_TRUE(AtAdapter(Def("a1", "x", "Adapter", false)));
  EXPECT_FALSE(AtAdapter(Def("a1", "x", "Application", false)));
  EXPECT_FALSE(AtAdapter(Def("a1", "x", "", false)));
}

}  // namespace
}  // namespace opsflow::tasks
