#include "model/secrets.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace opsflow::model {
namespace {
namespace bj = boost::json;

bj::value Mask(const bj::value&, const std::string&) { return bj::value(kMask); }

// A reversible fake seal that records the pointer it was given.
bj::value FakeSeal(const bj::value& v, const std::string& ptr) {
  return bj::value(std::string(kSealedPrefix) + ptr + "|" + bj::serialize(v));
}

TEST(Decorators, EncryptionPointersSkipOthers) {
  bj::value d = bj::parse(R"([{"type":"encryption","pointer":"/variables/password"},
    {"type":"other","pointer":"/variables/x"},{"type":"encryption","pointer":"/name"},
    {"type":"encryption"},7,{"type":"encryption","pointer":"/variables/password"},
    {"type":"encryption","pointer":"/variables/creds/0/key"}])");
  EXPECT_EQ(EncryptionPointers(&d),
            (std::vector<std::string>{"/variables/password", "/variables/creds/0/key"}));
  EXPECT_TRUE(EncryptionPointers(nullptr).empty());
}

TEST(Decorators, CheckRejectsMalformed) {
  EXPECT_TRUE(
      CheckDecorators(bj::parse(R"([{"type":"encryption","pointer":"/variables/a"}])")).ok());
  EXPECT_FALSE(CheckDecorators(bj::parse(R"({})")).ok());
  EXPECT_FALSE(CheckDecorators(bj::parse(R"([{"type":"x","pointer":"/variables/a"}])")).ok());
  EXPECT_FALSE(CheckDecorators(bj::parse(R"([{"type":"encryption","pointer":"/name"}])")).ok());
  EXPECT_FALSE(CheckDecorators(bj::parse(R"([{"type":"encryption"}])")).ok());
  EXPECT_FALSE(
      CheckDecorators(bj::parse(R"([{"type":"encryption","pointer":"/variables/"}])")).ok());
}

TEST(Decorators, MergeKeepsBaseAndAddsNew) {
  bj::value base = bj::parse(R"([{"type":"encryption","pointer":"/variables/a"}])");
  bj::array extra = bj::parse(R"([{"type":"encryption","pointer":"/variables/a"},
    {"type":"encryption","pointer":"/variables/b"}])")
                        .as_array();
  EXPECT_EQ(MergeDecorators(&base, extra).size(), 2u);
  EXPECT_EQ(MergeDecorators(nullptr, extra).size(), 2u);
}

TEST(Decorators, WithDecoratorsMakesANewSnapshot) {
  auto wf = Workflow::FromJson(bj::parse(R"({"name":"w","tasks":{
    "workflow_start":{},"workflow_end":{}},"transitions":{}})")
                                   .as_object());
  ASSERT_TRUE(wf.ok());
  bj::array extra = bj::parse(R"([{"type":"encryption","pointer":"/variables/a"}])").as_array();
  auto merged = WithDecorators(*wf, extra);
  ASSERT_TRUE(merged.ok());
  EXPECT_NE((*merged)->version(), (*wf)->version());
  EXPECT_EQ((*merged)->doc().at("decorators").as_array().size(), 1u);
  auto same = WithDecorators(*merged, extra);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->get(), merged->get());
}

TEST(Secrets, CollectsNestedAndArrayValues) {
  bj::object vars = bj::parse(R"({"password":"hunter22","creds":[{"key":"k-123456"}],
    "pin":123456,"flag":true,"empty":""})")
                        .as_object();
  SecretSet s =
      CollectSecrets(vars, {"/variables/password", "/variables/creds/0/key", "/variables/pin",
                            "/variables/flag", "/variables/empty", "/variables/missing"});
  ASSERT_EQ(s.values.size(), 3u);
  EXPECT_EQ(s.strings, (std::vector<std::string>{"hunter22", "k-123456", "123456"}));
}

TEST(Secrets, MasksAtNestedPointersAndArrays) {
  bj::value vars = bj::parse(R"({"password":"hunter22","creds":[{"key":"k-1"},{"key":"k-2"}],
    "obj":{"inner":{"s":"x"}},"other":"fine"})");
  ReplaceSecrets(&vars, "/variables", {"/password", "/creds/1/key", "/obj/inner"}, {}, Mask);
  EXPECT_EQ(vars, bj::parse(R"({"password":"****","creds":[{"key":"k-1"},{"key":"****"}],
    "obj":{"inner":"****"},"other":"fine"})"));
}

TEST(Secrets, ValueBasedMaskingFindsCopies) {
  bj::object vars = bj::parse(R"({"password":"hunter22","obj":{"a":1,"b":"x"}})").as_object();
  SecretSet s = CollectSecrets(vars, {"/variables/password", "/variables/obj"});
  bj::value incoming = bj::parse(R"({"body":{"pass":"hunter22","list":["a","hunter22"]},
    "url":"http://u:hunter22@h/","copy":{"a":1,"b":"x"},"n":1,"ok":"fine","t":true})");
  ReplaceSecrets(&incoming, "", {}, s, Mask);
  EXPECT_EQ(incoming, bj::parse(R"({"body":{"pass":"****","list":["a","****"]},
    "url":"****","copy":"****","n":1,"ok":"fine","t":true})"));
}

TEST(Secrets, ShortSecretsMatchOnlyWhole) {
  bj::object vars = bj::parse(R"({"p":"ab"})").as_object();
  SecretSet s = CollectSecrets(vars, {"/variables/p"});
  bj::value v = bj::parse(R"({"x":"ab","y":"abc"})");
  ReplaceSecrets(&v, "", {}, s, Mask);
  EXPECT_EQ(v, bj::parse(R"({"x":"****","y":"abc"})"));
  EXPECT_EQ(MaskText("ab", s), "****");
  EXPECT_EQ(MaskText("cab", s), "cab");
}

TEST(Secrets, SealRecordsPointersAndOpenFindsThem) {
  bj::object vars =
      bj::parse(R"({"password":"hunter22","a/b":{"c~d":["x","hunter22"]}})").as_object();
  SecretSet s = CollectSecrets(vars, {"/variables/password"});
  bj::value v(vars);
  ReplaceSecrets(&v, "/variables", {"/password"}, s, FakeSeal);
  bj::value masked = v;
  MaskSealed(&masked);
  EXPECT_EQ(bj::serialize(masked).find("hunter22"), std::string::npos);  // only inside seals
  std::vector<std::string> seen;
  ReplaceSealed(&v, "/variables", [&](const bj::value& sealed, const std::string& ptr) {
    seen.push_back(ptr);
    std::string_view t = sealed.get_string();
    EXPECT_EQ(t.substr(0, t.find('|')), ptr);  // sealed with the pointer it is found at
    return bj::parse(t.substr(t.find('|') + 1));
  });
  EXPECT_EQ(seen, (std::vector<std::string>{"/variables/password", "/variables/a~1b/c~0d/1"}));
  EXPECT_EQ(v, bj::value(vars));
}

TEST(Secrets, SealedValuesAreNotSealedTwiceAndMaskAsStars) {
  bj::value v = bj::parse(R"({"p":"hunter22"})");
  ReplaceSecrets(&v, "/variables", {"/p"}, {}, FakeSeal);
  bj::value once = v;
  ReplaceSecrets(&v, "/variables", {"/p"}, {}, FakeSeal);
  EXPECT_EQ(v, once);
  EXPECT_TRUE(IsSealed(v.at("p")));
  MaskSealed(&v);
  EXPECT_EQ(v, bj::parse(R"({"p":"****"})"));
}

TEST(Secrets, MaskTextReplacesEveryOccurrence) {
  bj::object vars = bj::parse(R"({"p":"hunter22"})").as_object();
  SecretSet s = CollectSecrets(vars, {"/variables/p"});
  EXPECT_EQ(MaskText("login hunter22 failed (hunter22)", s), "login **** failed (****)");
  EXPECT_EQ(MaskText("nothing here", s), "nothing here");
}

}  // namespace
}  // namespace opsflow::model
