// Accounts and tokens (SPEC §3): argon2id password hashes (libsodium), random 256-bit tokens
// stored only as SHA-256 hashes, with an expiry. Accounts and token hashes live in the DocStore;
// tokens are also cached in memory so checking one costs a hash and a map lookup.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/status.h"
#include "store/job_store.h"

namespace opsflow::auth {

struct Account {
  std::string id;  // ObjectId
  std::string username;
  bool admin = false;
  std::vector<std::string> groups;  // group ids
};

struct AuthOptions {
  int64_t token_ttl_ms = 3600 * 1000;
};

class Accounts {
 public:
  Accounts(store::DocStore* docs, base::Clock* clock, AuthOptions opts = {});

  // True when no account exists yet.
  base::Result<bool> Empty();
  // Creates an account. AlreadyExists if the username is taken.
  base::Result<Account> Create(const std::string& username, const std::string& password,
                               bool admin);
  // Checks a password and issues a token. Unauthenticated (same message for unknown users and
  // wrong passwords) on failure.
  base::Result<std::string> Login(const std::string& username, const std::string& password);
  // The account a token belongs to. Unauthenticated when unknown or expired.
  base::Result<Account> Authenticate(const std::string& token);
  void Logout(const std::string& token);
  int64_t token_ttl_ms() const { return opts_.token_ttl_ms; }

 private:
  base::Result<Account> Load(const std::string& username, std::string* hash);

  store::DocStore* docs_;
  base::Clock* clock_;
  AuthOptions opts_;
  struct Session {
    Account account;
    int64_t expires_ms;
  };
  std::shared_mutex mu_;
  std::unordered_map<std::string, Session> sessions_;  // by token hash
};

// Lower-case hex SHA-256 of `s`.
std::string Sha256Hex(const std::string& s);

}  // namespace opsflow::auth
