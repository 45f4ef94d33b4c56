// Secret values of a job (SPEC §5 "Decorators"): pure JSON helpers. A decorator
// `{type:"encryption", pointer:"/variables/password"}` marks the value at that pointer of the job
// document as secret. Secrets are
//  * sealed where they are stored: the value is replaced by the string kSealedPrefix + the
//    SecretBox text of its serialized JSON, sealed with the value's JSON pointer (in the
//    document that holds it) as associated data;
//  * masked (kMask) wherever they are shown.
// Values that are not at a decorator pointer (a task's incoming and outgoing values, a copy in
// another variable) are found by value, as CI systems mask secrets in logs: a value equal to a
// secret, or a string containing a secret string of at least kMinSubstring characters.
// The crypto is the caller's: these helpers take Seal/Open functions.
// Thread-safety: stateless functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <boost/json/value.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "model/workflow.h"

namespace opsflow::model {

inline constexpr std::string_view kMask = "****";
inline constexpr std::string_view kSealedPrefix = "$opsflow-sealed:v1:";
inline constexpr size_t kMinSubstring = 4;

// The `encryption` pointers of a `decorators` array (a workflow's or jobs/start's). Entries of
// other types, and malformed entries, are skipped.
std::vector<std::string> EncryptionPointers(const boost::json::value* decorators);
// Checks a jobs/start `options.decorators`: an array of {type:"encryption", pointer} whose
// pointers start with "/variables/". InvalidArgument saying what is wrong.
base::Status CheckDecorators(const boost::json::value& decorators);
// `base` (a workflow's decorators, may be null or not an array) plus `extra`, without repeats.
boost::json::array MergeDecorators(const boost::json::value* base, const boost::json::array& extra);
// `wf` with `extra` (checked by CheckDecorators) merged into its document's `decorators`: a new
// snapshot (another version), so the job's decorators are stored with the job's workflow.
// `wf` itself when `extra` adds nothing.
base::Result<std::shared_ptr<const Workflow>> WithDecorators(std::shared_ptr<const Workflow> wf,
                                                             const boost::json::array& extra);

// The secret values found at `pointers` (job-document pointers, "/variables/..."), given the
// job's clear variables.
struct SecretSet {
  std::vector<boost::json::value> values;  // whole values (strings, numbers, objects, arrays)
  std::vector<std::string> strings;        // string leaves (and number texts) for substrings
  bool empty() const { return values.empty(); }
};
SecretSet CollectSecrets(const boost::json::object& variables,
                         const std::vector<std::string>& pointers);

bool IsSealed(const boost::json::value& v);

// Replaces, anywhere in `*v`, each value found secret (at one of `pointers` relative to `*v`,
// equal to a secret, or a string containing a secret string) by `replace(value, pointer)`,
// where pointer is `base` + the value's pointer inside `*v`. Sealed strings are left alone.
using Replacer = std::function<boost::json::value(const boost::json::value&, const std::string&)>;
void ReplaceSecrets(boost::json::value* v, const std::string& base,
                    const std::vector<std::string>& pointers, const SecretSet& secrets,
                    const Replacer& replace);

// Replaces every sealed string anywhere in `*v` by `replace(sealed text without the prefix,
// pointer)` (pointer as above).
void ReplaceSealed(boost::json::value* v, const std::string& base, const Replacer& replace);

// Every sealed string anywhere in `*v` becomes kMask.
void MaskSealed(boost::json::value* v);
// `text` with each secret string of at least kMinSubstring characters (or equal to the whole
// text) replaced by kMask.
std::string MaskText(std::string text, const SecretSet& secrets);


}  // namespace opsflow::model
