#include "api/job_doc_cache.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace opsflow::api {
namespace {

model::JobRecord Job(const std::string& id) {
  model::JobRecord r;
  r.id = id;
  r.workflow_name = "wf";
  r.workflow_version = "v1";
  r.status = "complete";
  r.state = "s";
  r.start_ms = 1000;
  r.end_ms = 2000;
  return r;
}

std::shared_ptr<const std::string> Text(size_t n, char c = 'x') {
  return std::make_shared<const std::string>(std::string(n, c));
}

TEST(JobDocCache, OnlyJobsThatChangeOnlyWithTheirRecord) {
  model::JobRecord r = Job("a");
  EXPECT_TRUE(JobDocCache::Cacheable(r));
  r.status = "canceled";
  EXPECT_TRUE(JobDocCache::Cacheable(r));
  r.status = "error";
  EXPECT_TRUE(JobDocCache::Cacheable(r));
  for (const char* s : {"running", "paused"}) {
    r.status = s;
    EXPECT_FALSE(JobDocCache::Cacheable(r)) << s;
  }
}

TEST(JobDocCache, FingerprintCoversEveryColumn) {
  const model::JobRecord base = Job("a");
  const uint64_t fp = JobDocCache::Fingerprint(base);
  EXPECT_EQ(fp, JobDocCache::Fingerprint(Job("a")));
  auto differs = [&](void (*change)(model::JobRecord&)) {
    model::JobRecord r = base;
    change(r);
    return JobDocCache::Fingerprint(r) != fp;
  };
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.id = "b"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.workflow_name = "wf2"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.workflow_version = "v2"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.status = "canceled"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.description = "d"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.type = "t"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.created_by = "u"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.groups_json = "[\"g\"]"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.variables_json = "{\"a\":1}"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.errors_json = "[1]"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.state = "t"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.parent_json = "{}"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.ancestors_json = "[\"a\"]"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.watchers_json = "[\"w\"]"; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.created_ms = 5; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.last_updated_ms = 5; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.start_ms = 5; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.end_ms = 5; }));
  EXPECT_TRUE(differs([](model::JobRecord& r) { r.progress = 50; }));
  // Moving text from one column to the next is a change too.
  model::JobRecord x = base, y = base;
  x.groups_json = "ab";
  x.variables_json = "c";
  y.groups_json = "a";
  y.variables_json = "bc";
  EXPECT_NE(JobDocCache::Fingerprint(x), JobDocCache::Fingerprint(y));
}

TEST(JobDocCache, HitOnlyWithTheSameFingerprint) {
  JobDocCache cache(1 << 20);
  EXPECT_EQ(cache.Get("a", 1), nullptr);
  cache.Put("a", 1, Text(10, 'a'));
  ASSERT_NE(cache.Get("a", 1), nullptr);
  EXPECT_EQ(*cache.Get("a", 1), std::string(10, 'a'));
  EXPECT_EQ(cache.Get("a", 2), nullptr);  // the record changed
  cache.Put("a", 2, Text(20, 'b'));       // replaces the entry
  EXPECT_EQ(cache.entries(), 1u);
  EXPECT_EQ(cache.Get("a", 1), nullptr);
  EXPECT_EQ(*cache.Get("a", 2), std::string(20, 'b'));
}

TEST(JobDocCache, BoundedLeastRecentlyUsedFirst) {
  JobDocCache cache(3 * (1000 + 2 + 96));  // three entries of 1000 bytes with 1-byte ids
  cache.Put("a", 1, Text(1000));
  cache.Put("b", 1, Text(1000));
  cache.Put("c", 1, Text(1000));
  EXPECT_EQ(cache.entries(), 3u);
  ASSERT_NE(cache.Get("a", 1), nullptr);  // a is now the most recent; b the least
  cache.Put("d", 1, Text(1000));
  EXPECT_EQ(cache.entries(), 3u);
  EXPECT_LE(cache.bytes(), 3u * (1000 + 2 + 96));
  EXPECT_EQ(cache.Get("b", 1), nullptr);
  EXPECT_NE(cache.Get("a", 1), nullptr);
  EXPECT_NE(cache.Get("c", 1), nullptr);
  EXPECT_NE(cache.Get("d", 1), nullptr);
  cache.Put("huge", 1, Text(10000));  // larger than the whole cache: not kept, nothing evicted
  EXPECT_EQ(cache.Get("huge", 1), nullptr);
  EXPECT_EQ(cache.entries(), 3u);
}

}  // namespace
}  // namespace opsflow::api
