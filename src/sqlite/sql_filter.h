// SQLite's dialect of the shared list-query translator (store/sql_filter.h): ?N placeholders,
// instr/substr, json_each, and range filters marked for PlanRanges.
// Thread-safety: pure functions; the dialect and column maps are immutable.
#pragma once

#include "sqlite/stmt.h"
#include "store/sql_filter.h"

namespace opsflow::sqlite {

using store::ColType;
using store::ColumnMap;
using store::SqlArg;
using store::SqlQuery;

const store::SqlDialect& Dialect();

// The job columns ("" is the rowid) and the iteration columns.
const ColumnMap& JobColumns();
const ColumnMap& IterationColumns();

void BindArg(Stmt& s, int index, const SqlArg& arg);

}  // namespace opsflow::sqlite
