// An in-memory DocStore: the fake every unit test that needs documents uses.
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "store/job_store.h"

namespace opsflow::store::testing {

class MemDocStore final : public DocStore {
 public:
  base::Status Put(const std::string& kind, const std::string& key,
                   const std::string& doc) override {
    std::lock_guard<std::mutex> l(mu_);
    docs_[kind][key] = doc;
    return base::Status::Ok();
  }
  base::Result<std::string> Get(const std::string& kind, const std::string& key) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = docs_[kind].find(key);
    if (it == docs_[kind].end()) return base::NotFound(kind + " '" + key + "' not found");
    return it->second;
  }
  base::Status Delete(const std::string& kind, const std::string& key) override {
    std::lock_guard<std::mutex> l(mu_);
    if (docs_[kind].erase(key) == 0) return base::NotFound(kind + " '" + key + "' not found");
    return base::Status::Ok();
  }
  base::Result<std::vector<StoredDoc>> List(const std::string& kind) override {
    std::lock_guard<std::mutex> l(mu_);
    std::vector<StoredDoc> out;
    for (const auto& [k, v] : docs_[kind]) out.push_back({k, v});
    return out;
  }
  // How many documents of `kind` it holds.
  size_t Count(const std::string& kind) {
    std::lock_guard<std::mutex> l(mu_);
    return docs_[kind].size();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> docs_;
};

}  // namespace opsflow::store::testing
