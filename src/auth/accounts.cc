#include "auth/accounts.h"

#include <openssl/sha.h>
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>

#include "base/ids.h"
#include "json/fields.h"

namespace opsflow::auth {
namespace bj = boost::json;

namespace {

constexpr int kPurgeEveryLogins = 256;

Account FromDoc(const bj::object& o, const std::string& username) {
  Account a;
  a.id = json::StringField(o, "_id");
  a.username = username;
  a.admin = o.contains("admin") && o.at("admin").is_bool() && o.at("admin").get_bool();
  if (o.contains("groups") && o.at("groups").is_array()) {
    for (const auto& g : o.at("groups").get_array()) {
      if (g.is_string()) a.groups.emplace_back(g.get_string());
    }
  }
  a.created = json::StringField(o, "created");
  a.last_updated = json::StringField(o, "last_updated");
  return a;
}

base::Result<bj::object> ParseRecord(const std::string& text) {
  bj::error_code ec;
  bj::value v = bj::parse(text, ec);
  if (ec || !v.is_object()) return base::Internal("corrupt account record");
  return std::move(v.get_object());
}

bj::array ToArray(const std::vector<std::string>& v) {
  bj::array out;
  for (const auto& s : v) out.emplace_back(s);
  return out;
}

base::Status CheckPassword(const std::string& password) {
  if (password.size() < 8 || password.size() > 1024) {
    return base::InvalidArgument("password must be 8 to 1024 characters");
  }
  return base::Status::Ok();
}

base::Result<std::string> HashPassword(const std::string& password) {
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return base::Internal("out of memory hashing the password");
  }
  return std::string(hash);
}

}  // namespace

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
    : docs_(docs),
      clock_(clock),
      opts_(opts),
      groups_(docs, clock),
      throttle_(clock, opts.throttle) {
  if (sodium_init() < 0) std::abort();
}

const std::string& Accounts::DummyHash() {
  std::call_once(dummy_once_, [this] {
    auto h = HashPassword(base::RandomHex(16));
    dummy_hash_ = h.ok() ? *h : std::string();
  });
  return dummy_hash_;
}

base::Result<bool> Accounts::Empty() {
  auto all = docs_->List("account");
  if (!all.ok()) return all.status();
  return all->empty();
}

base::Result<Account> Accounts::Create(const std::string& username, const std::string& password,
                                       bool admin, const std::vector<std::string>& groups) {
  if (username.empty() || username.size() > 256) {
    return base::InvalidArgument("username must be 1 to 256 characters");
  }
  OPSFLOW_RETURN_IF_ERROR(ValidateName("user", username));
  OPSFLOW_RETURN_IF_ERROR(CheckPassword(password));
  std::lock_guard<std::mutex> l(admin_mu_);
  if (docs_->Get("account", username).ok()) {
    return base::AlreadyExists("account '" + username + "' already exists");
  }
  OPSFLOW_ASSIGN_OR_RETURN(std::vector<std::string> group_ids, groups_.Resolve(groups));
  OPSFLOW_ASSIGN_OR_RETURN(std::string hash, HashPassword(password));
  std::string now = base::IsoTime(clock_->NowMs());
  Account a{base::NewObjectId(), username, admin, group_ids, now, now};
  bj::object doc{{"_id", a.id},           {"username", username},
                 {"admin", admin},        {"groups", ToArray(group_ids)},
                 {"password_hash", hash}, {"created", now},
                 {"last_updated", now}};
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("account", username, bj::serialize(doc)));
  return a;
}

base::Result<Account> Accounts::Load(const std::string& username, std::string* hash) {
  if (username.empty() || username.size() > 256) return base::NotFound("no such account");
  OPSFLOW_ASSIGN_OR_RETURN(std::string text, docs_->Get("account", username));
  OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(text));
  if (hash) *hash = json::StringField(o, "password_hash");
  return FromDoc(o, username);
}

base::Result<std::string> Accounts::Login(const std::string& username,
                                          const std::string& password, const std::string& address,
                                          int64_t* retry_after_s) {
  static const std::string kDenied = "Invalid username or password";
  if (int64_t wait = throttle_.Begin(username, address); wait > 0) {
    int64_t seconds = (wait + 999) / 1000;
    if (retry_after_s) *retry_after_s = seconds;
    return base::ResourceExhausted("too many failed logins; try again in " +
                                   std::to_string(seconds) + " seconds");
  }
  std::string hash;
  auto acct = Load(username, &hash);
  if (!acct.ok() && acct.status().code() != base::Code::kNotFound) {
    throttle_.Abandon(username, address);
    return acct.status();
  }
  // An unknown user is checked against a dummy hash, so both failures cost the same.
  const std::string& check = acct.ok() ? hash : DummyHash();
  bool good = crypto_pwhash_str_verify(check.c_str(), password.data(), password.size()) == 0;
  bool ok = acct.ok() && good;
  throttle_.Finish(username, address, ok);
  if (!ok) return base::Unauthenticated(kDenied);
  std::string token = base::RandomHex(32);
  std::string key = Sha256Hex(token);
  int64_t now = clock_->NowMs();
  int64_t expires = now + opts_.token_ttl_ms;
  bj::object doc{{"username", username}, {"expires", expires}};
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("token", key, bj::serialize(doc)));
  bool purge = false;
  {
    std::unique_lock<std::shared_mutex> l(mu_);
    sessions_[key] = Session{*acct, expires};
    purge = ++logins_since_purge_ >= kPurgeEveryLogins;
    if (purge) {
      logins_since_purge_ = 0;
      std::erase_if(sessions_, [now](const auto& kv) { return kv.second.expires_ms <= now; });
    }
  }
  if (purge) RevokeTokensOf("");  // "" matches no account: drops only expired token records
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

base::Result<std::vector<Account>> Accounts::List() {
  OPSFLOW_ASSIGN_OR_RETURN(auto docs, docs_->List("account"));
  std::vector<Account> out;
  out.reserve(docs.size());
  for (const auto& d : docs) {
    OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(d.doc_json));
    out.push_back(FromDoc(o, d.key));
  }
  std::sort(out.begin(), out.end(),
            [](const Account& a, const Account& b) { return a.username < b.username; });
  return out;
}

base::Result<std::string> Accounts::FindRecord(const std::string& id, std::string* username) {
  if (base::IsObjectId(id)) {
    OPSFLOW_ASSIGN_OR_RETURN(auto docs, docs_->List("account"));
    for (auto& d : docs) {
      OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(d.doc_json));
      if (json::StringField(o, "_id") == id) {
        *username = d.key;
        return std::move(d.doc_json);
      }
    }
  }
  return base::NotFound("no account has the id '" + id + "'");
}

base::Result<Account> Accounts::Get(const std::string& id) {
  std::string username;
  OPSFLOW_ASSIGN_OR_RETURN(std::string text, FindRecord(id, &username));
  OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(text));
  return FromDoc(o, username);
}

base::Result<int> Accounts::CountAdmins() {
  OPSFLOW_ASSIGN_OR_RETURN(auto all, List());
  return static_cast<int>(
      std::count_if(all.begin(), all.end(), [](const Account& a) { return a.admin; }));
}

base::Result<Account> Accounts::Update(const std::string& id, const AccountPatch& patch) {
  if (patch.password) OPSFLOW_RETURN_IF_ERROR(CheckPassword(*patch.password));
  std::lock_guard<std::mutex> l(admin_mu_);
  std::string username;
  OPSFLOW_ASSIGN_OR_RETURN(std::string text, FindRecord(id, &username));
  OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(text));
  Account before = FromDoc(o, username);
  if (patch.groups) {
    OPSFLOW_ASSIGN_OR_RETURN(std::vector<std::string> ids, groups_.Resolve(*patch.groups));
    o["groups"] = ToArray(ids);
  }
  if (patch.admin) {
    if (before.admin && !*patch.admin) {
      OPSFLOW_ASSIGN_OR_RETURN(int admins, CountAdmins());
      if (admins <= 1) {
        return base::FailedPrecondition("'" + username +
                                        "' is the last admin account and cannot be demoted; "
                                        "make another account admin first");
      }
    }
    o["admin"] = *patch.admin;
  }
  if (patch.password) {
    OPSFLOW_ASSIGN_OR_RETURN(std::string hash, HashPassword(*patch.password));
    o["password_hash"] = hash;
  }
  o["last_updated"] = base::IsoTime(clock_->NowMs());
  OPSFLOW_RETURN_IF_ERROR(docs_->Put("account", username, bj::serialize(o)));
  Account after = FromDoc(o, username);
  if (patch.password) {
    RevokeTokensOf(username);
  } else {
    RefreshSessions(after);
  }
  return after;
}

base::Status Accounts::Remove(const std::string& id) {
  std::lock_guard<std::mutex> l(admin_mu_);
  std::string username;
  OPSFLOW_ASSIGN_OR_RETURN(std::string text, FindRecord(id, &username));
  OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(text));
  if (FromDoc(o, username).admin) {
    OPSFLOW_ASSIGN_OR_RETURN(int admins, CountAdmins());
    if (admins <= 1) {
      return base::FailedPrecondition("'" + username +
                                      "' is the last admin account and cannot be deleted; "
                                      "make another account admin first");
    }
  }
  OPSFLOW_RETURN_IF_ERROR(docs_->Delete("account", username));
  RevokeTokensOf(username);
  return base::Status::Ok();
}

base::Status Accounts::DeleteGroup(const std::string& group_id) {
  std::lock_guard<std::mutex> l(admin_mu_);
  OPSFLOW_ASSIGN_OR_RETURN(Group g, groups_.Get(group_id));
  OPSFLOW_ASSIGN_OR_RETURN(auto docs, docs_->List("account"));
  for (const auto& d : docs) {
    OPSFLOW_ASSIGN_OR_RETURN(bj::object o, ParseRecord(d.doc_json));
    Account a = FromDoc(o, d.key);
    auto it = std::find(a.groups.begin(), a.groups.end(), g.id);
    if (it == a.groups.end()) continue;
    a.groups.erase(it);
    o["groups"] = ToArray(a.groups);
    OPSFLOW_RETURN_IF_ERROR(docs_->Put("account", d.key, bj::serialize(o)));
    RefreshSessions(a);
  }
  return groups_.Delete(g.id);
}

base::Status Accounts::ForceLogout(const std::string& id) {
  std::string username;
  OPSFLOW_RETURN_IF_ERROR(FindRecord(id, &username).status());
  RevokeTokensOf(username);
  return base::Status::Ok();
}

void Accounts::RevokeTokensOf(const std::string& username) {
  int64_t now = clock_->NowMs();
  // The store first, then the cache, so a concurrent lookup cannot re-cache a revoked token.
  auto docs = docs_->List("token");
  if (docs.ok()) {
    for (const auto& d : *docs) {
      bj::error_code ec;
      bj::value v = bj::parse(d.doc_json, ec);
      const bj::object* o = !ec && v.is_object() ? &v.get_object() : nullptr;
      const bj::value* exp = o ? o->if_contains("expires") : nullptr;
      bool expired = !exp || !exp->is_int64() || exp->get_int64() <= now;
      if (expired || (o && !username.empty() && json::StringField(*o, "username") == username)) {
        (void)docs_->Delete("token", d.key);
      }
    }
  }
  if (username.empty()) return;
  std::unique_lock<std::shared_mutex> l(mu_);
  std::erase_if(sessions_, [&](const auto& kv) { return kv.second.account.username == username; });
}

void Accounts::RefreshSessions(const Account& a) {
  std::unique_lock<std::shared_mutex> l(mu_);
  for (auto& [key, session] : sessions_) {
    if (session.account.id == a.id) session.account = a;
  }
}

}  // namespace opsflow::auth
