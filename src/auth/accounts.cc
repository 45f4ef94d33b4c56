#include "auth/accounts.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <boost/json.hpp>

#include "base/ids.h"

namespace opsflow::auth {
namespace bj = boost::json;

std::string Sha256Hex(const std::string& s) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(s.data()), s.size(), d);
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

Accounts::Accounts(store::DocStore* docs, base::Clock* clock, AuthOptions opts)
    : docs_(docs), clock_(clock), opts_(opts) {
  if (sodium_init() < 0) std::abort();
}

base::Result<bool> Accounts::Empty() {
  auto all = docs_->List("account");
  if (!all.ok()) return all.status();
  return all->empty();
}

base::Result<Account> Accounts::Create(const std::string& username, const std::string& password,
                                       bool admin) {
  if (username.empty() || username.size() > 256) {
    return base::InvalidArgument("username must be 1 to 256 characters");
  }
  if (password.size() < 8 || password.size() > 1024) {
    return base::InvalidArgument("password must be 8 to 1024 characters");
  }
  if (docs_->Get("account", username).ok()) {
    return base::AlreadyExists("account '" + username + "' already exists");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return base::ResourceExhausted("out of memory hashing the password");
  }
  Account a{base::NewObjectId(), username, admin, {}};
  bj::object doc{{"_id", a.id},       {"username", username}, {"admin", admin},
                 {"groups", bj::array()}, {"password_hash", hash}};
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("account", username, bj::serialize(doc)));
  return a;
}

base::Result<Account> Accounts::Load(const std::string& username, std::string* hash) {
  auto text = docs_->Get("account", username);
  if (!text.ok()) return text.status();
  bj::error_code ec;
  bj::value v = bj::parse(*text, ec);
  if (ec || !v.is_object()) return base::Internal("corrupt account record");
  const bj::object& o = v.get_object();
  Account a;
  a.id = o.contains("_id") ? std::string(o.at("_id").as_string()) : "";
  a.username = username;
  a.admin = o.contains("admin") && o.at("admin").is_bool() && o.at("admin").get_bool();
  if (o.contains("groups") && o.at("groups").is_array()) {
    for (const auto& g : o.at("groups").get_array()) {
      if (g.is_string()) a.groups.emplace_back(g.get_string());
    }
  }
  if (hash && o.contains("password_hash")) *hash = std::string(o.at("password_hash").as_string());
  return a;
}

base::Result<std::string> Accounts::Login(const std::string& username,
                                          const std::string& password) {
  static const std::string kDenied = "Invalid username or password";
  std::string hash;
  auto acct = Load(username, &hash);
  if (!acct.ok()) {
    // Spend the same effort as a real check so unknown users are not told apart by timing.
    char dummy[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(dummy, password.data(), password.size(),
                          crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return base::ResourceExhausted("out of memory checking the password");
    }
    return base::Unauthenticated(kDenied);
  }
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) {
    return base::Unauthenticated(kDenied);
  }
  std::string token = base::RandomHex(32);
  std::string key = Sha256Hex(token);
  int64_t expires = clock_->NowMs() + opts_.token_ttl_ms;
  bj::object doc{{"username", username}, {"expires", expires}};
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("token", key, bj::serialize(doc)));
  std::unique_lock<std::shared_mutex> l(mu_);
  sessions_[key] = Session{*acct, expires};
  return token;
}

base::Result<Account> Accounts::Authenticate(const std::string& token) {
  static const std::string kBad = "Missing, invalid or expired token";
  if (token.empty() || token.size() > 256) return base::Unauthenticated(kBad);
  std::string key = Sha256Hex(token);
  int64_t now = clock_->NowMs();
  {
    std::shared_lock<std::shared_mutex> l(mu_);
    auto it = sessions_.find(key);
    if (it != sessions_.end()) {
      if (it->second.expires_ms <= now) return base::Unauthenticated(kBad);
      return it->second.account;
    }
  }
  // Not cached (e.g. issued before a restart): look it up.
  auto text = docs_->Get("token", key);
  if (!text.ok()) return base::Unauthenticated(kBad);
  bj::error_code ec;
  bj::value v = bj::parse(*text, ec);
  if (ec || !v.is_object()) return base::Unauthenticated(kBad);
  const bj::object& o = v.get_object();
  const bj::value* exp = o.if_contains("expires");
  const bj::value* user = o.if_contains("username");
  if (!exp || !exp->is_int64() || !user || !user->is_string()) return base::Unauthenticated(kBad);
  if (exp->get_int64() <= now) return base::Unauthenticated(kBad);
  auto acct = Load(std::string(user->get_string()), nullptr);
  if (!acct.ok()) return base::Unauthenticated(kBad);
  std::unique_lock<std::shared_mutex> l(mu_);
  sessions_[key] = Session{*acct, exp->get_int64()};
  return *acct;
}

void Accounts::Logout(const std::string& token) {
  std::string key = Sha256Hex(token);
  (void)docs_->Delete("token", key);
  std::unique_lock<std::shared_mutex> l(mu_);
  sessions_.erase(key);
}

}  // namespace opsflow::auth
