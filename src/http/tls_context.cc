#include "http/tls_context.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/stat.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstring>

namespace opsflow::http {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites: forward secrecy and AEAD only (Mozilla's "intermediate" list). TLS 1.3 uses
// OpenSSL's default suites, all of which are AEAD with forward secrecy.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

std::string OpenSslError() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

base::Result<std::shared_ptr<ssl::context>> Build(const std::string& cert_file,
                                                  const std::string& key_file) {
  OPSFLOW_RETURN_IF_ERROR(CheckPrivateKeyMode(key_file));
  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return base::Internal(std::string("Cannot create a TLS context: ") + e.what());
  }
  SSL_CTX* c = ctx->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION);
  SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                             SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1) {
    return base::Internal("Cannot set the TLS cipher list: " + OpenSslError());
  }
  if (SSL_CTX_use_certificate_chain_file(c, cert_file.c_str()) != 1) {
    return base::InvalidArgument("Cannot load the TLS certificate '" + cert_file +
                                 "' (PEM expected): " + OpenSslError());
  }
  if (SSL_CTX_use_PrivateKey_file(c, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return base::InvalidArgument("Cannot load the TLS private key '" + key_file +
                                 "' (unencrypted PEM expected): " + OpenSslError());
  }
  if (SSL_CTX_check_private_key(c) != 1) {
    return base::InvalidArgument("The TLS private key '" + key_file +
                                 "' does not match the certificate '" + cert_file +
                                 "': " + OpenSslError());
  }
  return ctx;
}

}  // namespace

base::Status CheckPrivateKeyMode(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return base::InvalidArgument("Cannot read the TLS private key '" + path +
                                 "': " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return base::InvalidArgument("The TLS private key '" + path + "' is not a regular file");
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof(mode), "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return base::InvalidArgument("The TLS private key '" + path + "' has mode " + mode +
                                 ": its group or others may access it; run chmod 600 on it");
  }
  return base::Status::Ok();
}

TlsContext::TlsContext(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}

base::Result<std::shared_ptr<TlsContext>> TlsContext::Load(std::string cert_file,
                                                           std::string key_file) {
  auto tls = std::make_shared<TlsContext>(std::move(cert_file), std::move(key_file));
  OPSFLOW_RETURN_IF_ERROR(tls->Reload());
  return tls;
}

base::Status TlsContext::Reload() {
  auto ctx = Build(cert_file_, key_file_);
  if (!ctx.ok()) return ctx.status();
  base::MutexLock lock(&mu_);
  current_ = std::move(*ctx);
  return base::Status::Ok();
}

std::shared_ptr<ssl::context> TlsContext::Current() const {
  base::MutexLock lock(&mu_);
  return current_;
}

}  // namespace opsflow::http
