// PostgreSQL's dialect of the shared list-query translator (store/sql_filter.h): $N placeholders
// typed so that PostgreSQL need not guess, strpos/left/right, jsonb_array_elements_text, and
// explicit NULLS FIRST/LAST so that pages come in SQLite's order.
// Thread-safety: pure functions; the dialect and column maps are immutable.
#pragma once

#include "postgres/pg_conn.h"
#include "store/sql_filter.h"

namespace opsflow::postgres {

using store::ColType;
using store::ColumnMap;
using store::SqlArg;
using store::SqlQuery;

const store::SqlDialect& Dialect();

// The job columns ("" is the seq column) and the iteration columns.
const ColumnMap& JobColumns();
const ColumnMap& IterationColumns();

// The statement parameters of `args`.
Params ToParams(const std::vector<SqlArg>& args);

}  // namespace opsflow::postgres
