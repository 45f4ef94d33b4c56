// SodiumSecretBox: store::SecretBox with libsodium's XChaCha20-Poly1305 (IETF AEAD), a fresh
// random 24-byte nonce per value and the caller's JSON pointer as associated data. A sealed
// value is base64 (standard alphabet, padded) of nonce || ciphertext || tag.
// LoadSecretKey finds the 32-byte key: OPSFLOW_SECRET_KEY (64 hex digits or standard base64),
// else the key file (exactly 32 raw bytes, mode 0600 or stricter), created when absent.
// Thread-safety: SodiumSecretBox is immutable; Seal/Open are safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/secret_box.h"

namespace opsflow::auth {

inline constexpr size_t kSecretKeyBytes = 32;

class SodiumSecretBox : public store::SecretBox {
 public:
  // InvalidArgument unless `key` holds exactly kSecretKeyBytes bytes.
  static base::Result<std::unique_ptr<SodiumSecretBox>> FromKey(std::string_view key);
  ~SodiumSecretBox() override;
  SodiumSecretBox(const SodiumSecretBox&) = delete;
  SodiumSecretBox& operator=(const SodiumSecretBox&) = delete;

  std::string Seal(std::string_view plain, std::string_view aad) const override;
  base::Result<std::string> Open(std::string_view sealed, std::string_view aad) const override;

 private:
  SodiumSecretBox() = default;
  unsigned char key_[kSecretKeyBytes] = {};
};

// Decodes OPSFLOW_SECRET_KEY's value: 64 hex digits, or base64 (standard alphabet, with or
// without padding) of 32 bytes. InvalidArgument otherwise.
base::Result<std::string> DecodeSecretKey(std::string_view text);

// The key: from `env_value` when not empty, else from `path`. A missing file is created with 32
// random bytes and mode 0600 (`*created` says so). FailedPrecondition, with a sentence for the
// operator, when the file is readable by group or others, or is not exactly 32 bytes.
base::Result<std::string> LoadSecretKey(const std::string& path, std::string_view env_value,
                                        bool* created);

}  // namespace opsflow::auth
