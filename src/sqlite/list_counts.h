// Totals of job lists read from the job_counts table (schema V0003: jobs per workflow name and
// status, kept by triggers) for two filters store::CountFromTable does not answer, so that
// their `total` does not count the matching rows one by one (200,000 index entries of a
// `starts-with[name]` take ~20 ms at 1,000,000 jobs; the counts table has a row per name and
// status). Thread-safety: pure functions.
#pragma once

#include <optional>

#include "model/query.h"
#include "store/sql_filter.h"

namespace opsflow::sqlite {

// For a list whose only filter is one of
//   * `starts-with` on `name` with a string value (the same byte range the list's WHERE uses),
//   * an `or` of `equals` with string values on one counted field (`status` or `name`), or an
//     `in` of string values on one of them,
// and that has no visible_groups: the whole SELECT summing job_counts.n over the matching rows,
// with its arguments. nullopt for anything else.
std::optional<store::SqlQuery> JobCountFromCounts(const model::ListQuery& q);

}  // namespace opsflow::sqlite
