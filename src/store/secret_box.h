// SecretBox: the port through which the runtime seals and opens secret values (SPEC §5
// "Decorators", docs/DECISIONS.md "Secrets"). auth/secret_box.h implements it with libsodium;
// tests may use any fake. The associated data is the JSON pointer of the value in the document
// that holds it, so a sealed value copied elsewhere no longer opens.
// Thread-safety: implementations are immutable after construction and safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace opsflow::store {

class SecretBox {
 public:
  virtual ~SecretBox() = default;
  // Encrypts `plain`, binding it to `aad`. The result is printable ASCII (no quotes, no
  // backslashes), so it can sit inside a JSON string as is.
  virtual std::string Seal(std::string_view plain, std::string_view aad) const = 0;
  // Decrypts what Seal returned. InvalidArgument when the text is malformed, was sealed with
  // another key or another `aad`, or was altered.
  virtual base::Result<std::string> Open(std::string_view sealed, std::string_view aad) const = 0;
};

}  // namespace opsflow::store
