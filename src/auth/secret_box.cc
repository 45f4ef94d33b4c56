#include "auth/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace opsflow::auth {
namespace {

constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr int kB64 = sodium_base64_VARIANT_ORIGINAL;

void InitSodium() {
  if (sodium_init() < 0) std::abort();  // no usable random source: nothing can be sealed
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

std::string ToBase64(const std::string& bin, int variant) {
  std::string out(sodium_base64_ENCODED_LEN(bin.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), Bytes(bin), bin.size(), variant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

bool FromBase64(std::string_view text, int variant, std::string* bin) {
  bin->assign(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(bin->data()), bin->size(), text.data(),
                        text.size(), nullptr, &len, nullptr, variant) != 0) {
    return false;
  }
  bin->resize(len);
  return true;
}

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

base::Result<std::string> CreateKeyFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return base::FailedPrecondition(Errno("cannot create the secret key file", path));
  std::string key(kSecretKeyBytes, '\0');
  randombytes_buf(key.data(), key.size());
  bool ok =
      ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    return base::FailedPrecondition(Errno("cannot write the secret key file", path));
  }
  return key;
}

}  // namespace

base::Result<std::unique_ptr<SodiumSecretBox>> SodiumSecretBox::FromKey(std::string_view key) {
  InitSodium();
  if (key.size() != kSecretKeyBytes) {
    return base::InvalidArgument("the secret key must be exactly 32 bytes");
  }
  std::unique_ptr<SodiumSecretBox> box(new SodiumSecretBox());
  std::memcpy(box->key_, key.data(), kSecretKeyBytes);
  return box;
}

SodiumSecretBox::~SodiumSecretBox() { sodium_memzero(key_, sizeof(key_)); }

std::string SodiumSecretBox::Seal(std::string_view plain, std::string_view aad) const {
  std::string bin(kNonce + plain.size() + kTag, '\0');
  auto* out = reinterpret_cast<unsigned char*>(bin.data());
  randombytes_buf(out, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out + kNonce, &len, Bytes(plain), plain.size(),
                                             Bytes(aad), aad.size(), nullptr, out, key_);
  bin.resize(kNonce + len);
  return ToBase64(bin, kB64);
}

base::Result<std::string> SodiumSecretBox::Open(std::string_view sealed,
                                                std::string_view aad) const {
  std::string bin;
  if (!FromBase64(sealed, kB64, &bin) || bin.size() < kNonce + kTag) {
    return base::InvalidArgument("not a sealed value");
  }
  const unsigned char* in = Bytes(bin);
  std::string plain(bin.size() - kNonce - kTag, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()),
                                                 &len, nullptr, in + kNonce, bin.size() - kNonce,
                                                 Bytes(aad), aad.size(), in, key_) != 0) {
    return base::InvalidArgument(
        "a sealed value does not open (another key, another place, or altered)");
  }
  plain.resize(len);
  return plain;
}

base::Result<std::string> DecodeSecretKey(std::string_view text) {
  InitSodium();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  std::string bin(kSecretKeyBytes, '\0');
  size_t len = 0;
  if (text.size() == 2 * kSecretKeyBytes &&
      sodium_hex2bin(reinterpret_cast<unsigned char*>(bin.data()), bin.size(), text.data(),
                     text.size(), nullptr, &len, nullptr) == 0 &&
      len == kSecretKeyBytes) {
    return bin;
  }
  if ((FromBase64(text, sodium_base64_VARIANT_ORIGINAL, &bin) ||
       FromBase64(text, sodium_base64_VARIANT_ORIGINAL_NO_PADDING, &bin)) &&
      bin.size() == kSecretKeyBytes) {
    return bin;
  }
  return base::InvalidArgument(
      "OPSFLOW_SECRET_KEY must be 32 bytes written as 64 hex digits or in base64");
}

base::Result<std::string> LoadSecretKey(const std::string& path, std::string_view env_value,
                                        bool* created) {
  InitSodium();
  *created = false;
  if (!env_value.empty()) return DecodeSecretKey(env_value);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    auto key = CreateKeyFile(path);
    if (key.ok()) *created = true;
    return key;
  }
  if (fd < 0) return base::FailedPrecondition(Errno("cannot open the secret key file", path));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return base::FailedPrecondition(Errno("cannot read the secret key file", path));
  }
  if ((st.st_mode & 077) != 0) {
    ::close(fd);
    return base::FailedPrecondition("the secret key file " + path +
                                    " may be read by other users; make it private with "
                                    "`chmod 600 " +
                                    path + "`");
  }
  std::string key(kSecretKeyBytes + 1, '\0');
  ssize_t n = ::read(fd, key.data(), key.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(kSecretKeyBytes)) {
    sodium_memzero(key.data(), key.size());
    return base::FailedPrecondition(
        "the secret key file " + path + " must hold exactly 32 bytes (it holds " +
        std::to_string(n < 0 ? 0 : static_cast<long long>(st.st_size)) + ")");
  }
  key.resize(kSecretKeyBytes);
  return key;
}

}  // namespace opsflow::auth
