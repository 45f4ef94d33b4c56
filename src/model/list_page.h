// Finishing a list query in memory: the filters a store could not apply, the sort and the page.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <vector>

#include "model/query.h"

namespace opsflow::model {

// Keeps the documents matching every `residual` expression, sorts them by `q.sort`/`q.order`
// when set, and returns page [q.skip, q.skip + q.limit). `total` receives the number matching.
// `complete`, when given, is called on each document of the page (to add what filtering did
// not need).
std::vector<boost::json::value> FilterSortPage(
    const ListQuery& q, std::vector<boost::json::value> docs, const std::vector<Expr>& residual,
    int64_t* total, const std::function<void(boost::json::value&)>& complete = {});

// Turns a task's `queryParameters` object ({"equals":{"name":"x"}, "in":{"status":["a","b"]},
// "limit":10, "sort":"name", ...}) into the URL parameter pairs ParseListQuery reads.
std::vector<std::pair<std::string, std::string>> ParamsFromObject(const boost::json::object& o);

}  // namespace opsflow::model
