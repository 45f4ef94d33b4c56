// The server's TLS configuration: a certificate chain and private key (PEM files) loaded into an
// OpenSSL context that allows TLS 1.2 and 1.3 only, with a modern cipher list. Reload() reads the
// files again (on SIGHUP); connections accepted afterwards use the new context, connections
// already open keep the one they started with. OpenSSL and Asio stay out of this header.
// Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <string>

#include "base/mutex.h"
#include "base/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace opsflow::http {

class TlsContext {
 public:
  // Loads `cert_file` (the server certificate, then any intermediates) and `key_file`. Fails
  // with a sentence naming the file when one cannot be read or parsed, when the key does not
  // match the certificate, or when the key file is readable by its group or by others.
  static base::Result<std::shared_ptr<TlsContext>> Load(std::string cert_file,
                                                        std::string key_file);

  // Reads both files again. On failure the current context stays in use and the error is
  // returned.
  base::Status Reload();

  // The context new connections use.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

  TlsContext(std::string cert_file, std::string key_file);

 private:
  const std::string cert_file_;
  const std::string key_file_;
  mutable base::Mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_ GUARDED_BY(mu_);
};

// Checks that `path` is a regular file that neither its group nor others may read or write.
base::Status CheckPrivateKeyMode(const std::string& path);

}  // namespace opsflow::http
