#include "cli/events_command.h"

#include <gtest/gtest.h>

namespace opsflow::cli {
namespace {

TEST(EventsCommandTest, PathCarriesTheFilters) {
  EXPECT_EQ(EventsPath({}, {}), "/operations-manager/events");
  EXPECT_EQ(EventsPath({"a1", "b2"}, {"jobComplete"}),
            "/operations-manager/events?jobId=a1&jobId=b2&topic=jobComplete");
}

TEST(EventsCommandTest, PrintsOneLinePerEventAcrossChunkBoundaries) {
  std::string pending;
  std::vector<std::string> lines;
  ConsumeEventText("retry: 3000\n: connected\n\n: keep-alive\n\nid: 7\nevent: task", &pending,
                   &lines);
  EXPECT_TRUE(lines.empty());
  ConsumeEventText(
      "Complete\ndata: {\"seq\":7,\"topic\":\"taskComplete\",\"jobId\":\"j1\",\"workflow\":\"W\","
      "\"status\":\"complete\",\"time\":\"2024-05-01T12:00:00.000Z\",\"taskId\":\"a1\","
      "\"taskName\":\"merge\",\"finishState\":\"success\"}\n\nevent: overflow\ndata: {}\n\n",
      &pending, &lines);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "2024-05-01T12:00:00.000Z taskComplete job=j1 task=a1 (merge) status=complete "
            "success workflow=\"W\"");
  EXPECT_NE(lines[1].find("fell behind"), std::string::npos);
  EXPECT_TRUE(pending.empty());
}

TEST(EventsCommandTest, RemembersTheLastIdAndWarnsOfAReset) {
  std::string pending, last_id;
  std::vector<std::string> lines;
  ConsumeEventText("event: reset\ndata: {}\n\nid: 17-4\nevent: jobStart\ndata: {}\n\n: k\n\n",
                   &pending, &lines, &last_id);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].rfind("! events were missed", 0), 0u);
  EXPECT_EQ(last_id, "17-4");  // a comment block keeps it
}

}  // namespace
}  // namespace opsflow::cli
