#include "model/list_page.h"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace opsflow::model {
namespace bj = boost::json;

std::vector<bj::value> FilterSortPage(const ListQuery& q, std::vector<bj::value> docs,
                                      const std::vector<Expr>& residual, int64_t* total,
                                      const std::function<void(bj::value&)>& complete) {
  std::vector<bj::value> kept;
  for (auto& d : docs) {
    bool ok = true;
    for (const auto& e : residual) {
      if (e.kind == Expr::Kind::kAnd && e.children.empty()) continue;  // "sort in memory"
      ok = ok && Matches(e, d);
    }
    if (ok) kept.push_back(std::move(d));
  }
  if (!q.sort.empty()) {
    std::stable_sort(kept.begin(), kept.end(), [&](const bj::value& a, const bj::value& b) {
      int cmp = Compare(SortKey(a, q.sort), SortKey(b, q.sort));
      return q.order < 0 ? cmp > 0 : cmp < 0;
    });
  }
  *total = static_cast<int64_t>(kept.size());
  std::vector<bj::value> page;
  for (int64_t i = q.skip; i < *total && i < q.skip + q.limit; ++i) {
    page.push_back(std::move(kept[i]));
    if (complete) complete(page.back());
  }
  return page;
}

std::vector<std::pair<std::string, std::string>> ParamsFromObject(const bj::object& o) {
  std::vector<std::pair<std::string, std::string>> out;
  auto text = [](const bj::value& v) {
    return v.is_string() ? std::string(v.get_string()) : bj::serialize(v);
  };
  for (const auto& kv : o) {
    std::string op(kv.key());
    if (const bj::object* fields = kv.value().if_object()) {
      for (const auto& f : *fields) {
        std::string key = op + "[" + std::string(f.key()) + "]";
        if (const bj::array* a = f.value().if_array(); a && (op == "in" || op == "not-in")) {
          for (const auto& item : *a) out.emplace_back(key, text(item));
        } else {
          out.emplace_back(key, text(f.value()));
        }
      }
    } else if (op == "q") {
      out.emplace_back(op, text(kv.value()));
    } else {
      out.emplace_back(op, text(kv.value()));
    }
  }
  return out;
}

}  // namespace opsflow::model
