// The token form of a json-query (the npm package json-query 2.2.2, which IAP's `query` task
// uses), produced by TokenizeQuery and evaluated by json_query.cc. The tokenizer follows the
// package's rules, including its oddities: filter keys are single property names (not paths),
// quotes are kept as part of the text, `?` becomes a (missing) parameter, `[*]`/`[**]` read
// the values of the current item one level deep.
// Thread-safety: plain data; TokenizeQuery is stateless and reentrant.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace opsflow::tasks::query {

struct Token;
using Tokens = std::vector<Token>;

// A key, a filter value or a helper argument: literal text, an {inner query} (evaluated on the
// root object), or a `?N` parameter (always undefined: the query task passes no parameters).
struct Operand {
  enum class Kind { kText, kSub, kParam };
  Kind kind = Kind::kText;
  std::string text;
  std::shared_ptr<const Tokens> sub;
};

// One comparison in a [filter]: key op value, e.g. `country=NZ`, `rating>=3`, `:helper`.
struct SelectPart {
  Operand key;
  Operand value;
  std::string op;  // "=", "~", ":", "<", ">", "<=", ">="
  bool negate = false;
  char boolean_op = 0;  // '&' or '|' joining it to the parts before; 0 for the first
  bool regex = false;   // `~ /re/`: refused (json-query's allowRegexp is off)
  std::shared_ptr<const Tokens> func;  // op ":": the helper query run on the element
};

enum class TokenKind { kRoot, kParent, kGet, kValues, kSelect, kOr, kHelper };

struct Token {
  TokenKind kind = TokenKind::kGet;
  Operand get;                    // kGet
  bool deep = false;              // kValues: `[**]` (array values spread one level)
  bool multiple = false;          // kSelect: `[*...]`, every match
  bool first_part_bad = false;    // kSelect: a boolean filter whose first part has no operator
  std::vector<SelectPart> parts;  // kSelect
  std::string helper;             // kHelper: the name after ':'
  std::vector<Operand> args;      // kHelper (and kRoot) arguments
};

// Tokenizes a whole query (its `?` are numbered as parameters first). InvalidArgument on
// unbalanced brackets, an empty `[]`, a filter ending in & or |, or inner queries nested
// deeper than `max_depth`.
base::Result<std::shared_ptr<const Tokens>> TokenizeQuery(std::string_view query, int max_depth);

}  // namespace opsflow::tasks::query
