#include "auth/secret_box.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace opsflow::auth {
namespace {

std::unique_ptr<SodiumSecretBox> Box(char fill) {
  auto b = SodiumSecretBox::FromKey(std::string(kSecretKeyBytes, fill));
  EXPECT_TRUE(b.ok());
  return std::move(b).value();
}

TEST(SecretBox, SealsAndOpens) {
  auto box = Box('k');
  std::string sealed = box->Seal("\"hunter22\"", "/variables/password");
  EXPECT_EQ(sealed.find("hunter22"), std::string::npos);
  EXPECT_EQ(sealed.find('"'), std::string::npos);
  auto plain = box->Open(sealed, "/variables/password");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "\"hunter22\"");
}

TEST(SecretBox, EachSealUsesAFreshNonce) {
  auto box = Box('k');
  EXPECT_NE(box->Seal("same", "/p"), box->Seal("same", "/p"));
}

TEST(SecretBox, WrongKeyFails) {
  std::string sealed = Box('a')->Seal("secret", "/variables/x");
  EXPECT_FALSE(Box('b')->Open(sealed, "/variables/x").ok());
}

TEST(SecretBox, WrongAssociatedDataFails) {
  auto box = Box('a');
  std::string sealed = box->Seal("secret", "/variables/x");
  EXPECT_FALSE(box->Open(sealed, "/variables/y").ok());
}

TEST(SecretBox, TamperedOrMalformedFails) {
  auto box = Box('a');
  std::string sealed = box->Seal("secret", "/p");
  std::string altered = sealed;
  altered[10] = altered[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box->Open(altered, "/p").ok());
  EXPECT_FALSE(box->Open("not base64 !!", "/p").ok());
  EXPECT_FALSE(box->Open("", "/p").ok());
  EXPECT_FALSE(box->Open(sealed.substr(0, 20), "/p").ok());
}

TEST(SecretBox, KeyMustBe32Bytes) {
  EXPECT_FALSE(SodiumSecretBox::FromKey("short").ok());
  EXPECT_FALSE(SodiumSecretBox::FromKey(std::string(33, 'x')).ok());
}

TEST(SecretKey, DecodesHexAndBase64) {
  std::string hex(64, 'a');
  auto k = DecodeSecretKey(hex);
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(*k, std::string(32, '\xaa'));
  // 32 bytes of 0xaa in base64, with and without padding, and with a trailing newline.
  std::string b64 = "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqo=";
  EXPECT_EQ(*DecodeSecretKey(b64), std::string(32, '\xaa'));
  EXPECT_EQ(*DecodeSecretKey(b64.substr(0, 43)), std::string(32, '\xaa'));
  EXPECT_EQ(*DecodeSecretKey(b64 + "\n"), std::string(32, '\xaa'));
  EXPECT_FALSE(DecodeSecretKey("abcd").ok());
  EXPECT_FALSE(DecodeSecretKey(std::string(62, 'a')).ok());
}

class KeyFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/opsflow-key-XXXXXX";
    dir_ = mkdtemp(tmpl);
    path_ = dir_ + "/secret.key";
  }
  void TearDown() override {
    std::remove(path_.c_str());
    rmdir(dir_.c_str());
  }
  void Write(const std::string& bytes, mode_t mode) {
    std::ofstream(path_, std::ios::binary) << bytes;
    chmod(path_.c_str(), mode);
  }
  std::string dir_, path_;
};

TEST_F(KeyFile, CreatedOnFirstUseWithMode0600ThenReused) {
  bool created = false;
  auto k1 = LoadSecretKey(path_, "", &created);
  ASSERT_TRUE(k1.ok()) << k1.status().message();
  EXPECT_TRUE(created);
  EXPECT_EQ(k1->size(), kSecretKeyBytes);
  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto k2 = LoadSecretKey(path_, "", &created);
  ASSERT_TRUE(k2.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*k1, *k2);
}

TEST_F(KeyFile, OpenPermissionsAreRefused) {
  Write(std::string(32, 'k'), 0644);
  bool created = false;
  auto k = LoadSecretKey(path_, "", &created);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("chmod 600"), std::string::npos);
}

TEST_F(KeyFile, WrongSizeIsRefused) {
  Write(std::string(31, 'k'), 0600);
  bool created = false;
  auto k = LoadSecretKey(path_, "", &created);
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.status().message().find("exactly 32 bytes"), std::string::npos);
  Write(std::string(64, 'k'), 0600);
  EXPECT_FALSE(LoadSecretKey(path_, "", &created).ok());
}

TEST_F(KeyFile, EnvironmentWinsAndCreatesNothing) {
  bool created = true;
  auto k = LoadSecretKey(path_, std::string(64, '0'), &created);
  ASSERT_TRUE(k.ok());
  EXPECT_FALSE(created);
  EXPECT_EQ(*k, std::string(32, '\0'));
  EXPECT_NE(access(path_.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace opsflow::auth
