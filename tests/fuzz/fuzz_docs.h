// Fixed documents the fuzz targets evaluate queries and references against: job and task
// iteration documents shaped like IAP's, plus odd corners (empty, arrays, nulls, dates).
// Thread-safety: the returned vector is built once and never changes.
#pragma once

#include <boost/json/value.hpp>
#include <vector>

namespace opsflow::fuzz {

const std::vector<boost::json::value>& SampleDocs();

}  // namespace opsflow::fuzz
