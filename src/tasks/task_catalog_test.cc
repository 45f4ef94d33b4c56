// The task catalogue lists exactly the registry's methods, with valid types.
#include "tasks/task_catalog.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "tasks/task.h"

namespace opsflow::tasks {
namespace {

bool ValidType(std::string_view t) {
  return t == "string" || t == "number" || t == "boolean" || t == "array" || t == "object" ||
         t == "*";
}

TEST(TaskCatalog, HasOneRowPerRegistryMethod) {
  std::set<std::string> registry;
  for (const TaskDescriptor& d : AllMethods()) registry.insert(std::string(d.method));
  std::set<std::string> catalog;
  for (const TaskInfo& t : TaskCatalog()) {
    EXPECT_TRUE(catalog.insert(std::string(t.method)).second) << "twice: " << t.method;
    EXPECT_EQ(FindTaskInfo(t.method), &t);
  }
  EXPECT_EQ(catalog, registry);
  EXPECT_EQ(FindTaskInfo("noSuchTask"), nullptr);
}

TEST(TaskCatalog, RowsAreWellFormed) {
  for (const TaskInfo& t : TaskCatalog()) {
    EXPECT_FALSE(t.summary.empty()) << t.method;
    EXPECT_FALSE(t.description.empty()) << t.method;
    std::set<std::string_view> names;
    for (const TaskVariableInfo& v : t.incoming) {
      EXPECT_TRUE(ValidType(v.type)) << t.method << "." << v.name;
      EXPECT_TRUE(names.insert(v.name).second) << t.method << "." << v.name;
    }
    names.clear();
    for (const TaskVariableInfo& v : t.outgoing) {
      EXPECT_TRUE(ValidType(v.type)) << t.method << "." << v.name;
      EXPECT_TRUE(names.insert(v.name).second) << t.method << "." << v.name;
    }
  }
  // Spot checks against IAP-REFERENCE §6.
  const TaskInfo* q = FindTaskInfo("query");
  ASSERT_NE(q, nullptr);
  ASSERT_EQ(q->outgoing.size(), 1u);
  EXPECT_EQ(q->outgoing[0].name, "return_data");
  const TaskInfo* d = FindTaskInfo("delay");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->incoming[0].name, "time");
  EXPECT_EQ(d->incoming[0].type, "number");
}

}  // namespace
}  // namespace opsflow::tasks
