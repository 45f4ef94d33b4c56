#include "runtime/secrets.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <map>

#include "base/log.h"
#include "json/parse.h"
#include "model/secrets.h"
#include "runtime/runtime.h"

namespace opsflow::runtime {
namespace bj = boost::json;
namespace {

constexpr std::string_view kVariables = "/variables";

// Decorator pointers relative to the variables object ("/variables/a" -> "/a").
std::vector<std::string> Relative(const std::vector<std::string>& pointers) {
  std::vector<std::string> out;
  for (const auto& p : pointers) out.push_back(p.substr(kVariables.size()));
  return out;
}

model::Replacer Sealer(const store::SecretBox* box) {
  return [box](const bj::value& v, const std::string& ptr) -> bj::value {
    if (!box) return bj::value(model::kMask);
    return bj::value(std::string(model::kSealedPrefix) + box->Seal(bj::serialize(v), ptr));
  };
}

bj::value Masker(const bj::value&, const std::string&) { return bj::value(model::kMask); }

bj::value ParseValue(const std::string& text) {
  auto r = json::Parse(text, {.max_depth = 256, .max_bytes = size_t(1) << 30});
  return r.ok() ? std::move(r).value() : bj::value(bj::object());
}

// Every string anywhere in `*v` with its secret strings masked (error entries keep their shape).
void MaskStrings(bj::value* v, const model::SecretSet& s) {
  if (v->is_string()) {
    std::string masked = model::MaskText(std::string(v->get_string()), s);
    if (masked != v->get_string()) *v = masked;
  } else if (v->is_object()) {
    for (auto& kv : v->get_object()) MaskStrings(&kv.value(), s);
  } else if (v->is_array()) {
    for (auto& e : v->get_array()) MaskStrings(&e, s);
  }
}

std::string MaskJsonText(const std::string& text, const model::SecretSet& s) {
  bj::value v = ParseValue(text);
  MaskStrings(&v, s);
  return bj::serialize(v);
}

struct JobSecrets {
  std::vector<std::string> relative;  // decorator pointers inside the variables object
  model::SecretSet set;
};

std::string SealVariables(const bj::object& vars, const JobSecrets& js,
                          const store::SecretBox* box) {
  bj::value v(vars);
  model::ReplaceSecrets(&v, std::string(kVariables), js.relative, js.set, Sealer(box));
  return bj::serialize(v);
}

std::string SealValues(const std::string& text, const std::string& base, const JobSecrets& js,
                       const store::SecretBox* box) {
  if (js.set.empty()) return text;
  bj::value v = ParseValue(text);
  model::ReplaceSecrets(&v, base, {}, js.set, Sealer(box));
  return bj::serialize(v);
}

}  // namespace

void SealBatch(store::WriteBatch* wb, const store::SecretBox* box, const FindJob& find) {
  std::map<std::string, std::optional<JobSecrets>> cache;
  auto secrets_of = [&](const std::string& id) -> const JobSecrets* {
    auto [it, fresh] = cache.try_emplace(id);
    if (fresh) {
      std::optional<JobView> view = find(id);
      if (view && view->wf && view->variables) {
        const std::vector<std::string>& pointers = view->wf->encryption_pointers();
        if (!pointers.empty()) {
          it->second =
              JobSecrets{Relative(pointers), model::CollectSecrets(*view->variables, pointers)};
        }
      }
    }
    return it->second ? &*it->second : nullptr;
  };
  auto vars_of = [&](const std::string& id) { return find(id)->variables; };
  for (model::JobRecord& r : wb->new_jobs) {
    const JobSecrets* js = secrets_of(r.id);
    if (!js) continue;
    r.variables_json = SealVariables(*vars_of(r.id), *js, box);
    r.errors_json = MaskJsonText(r.errors_json, js->set);
    r.description = model::MaskText(std::move(r.description), js->set);
  }
  for (store::JobUpdate& u : wb->job_updates) {
    const JobSecrets* js = secrets_of(u.id);
    if (!js) continue;
    if (u.variables_json) u.variables_json = SealVariables(*vars_of(u.id), *js, box);
    if (u.errors_json) u.errors_json = MaskJsonText(*u.errors_json, js->set);
    if (u.description) u.description = model::MaskText(std::move(*u.description), js->set);
  }
  for (model::IterationRecord& it : wb->iterations) {
    const JobSecrets* js = secrets_of(it.job_id);
    if (!js) continue;
    it.incoming_json = SealValues(it.incoming_json, "/variables/incoming", *js, box);
    it.outgoing_json = SealValues(it.outgoing_json, "/variables/outgoing", *js, box);
    it.error = model::MaskText(std::move(it.error), js->set);
  }
}

void OpenSealed(bj::object* o, const std::string& base, const store::SecretBox* box,
                const std::string& job_id) {
  if (!box) return;
  bj::value v(std::move(*o));
  bool failed = false;
  model::ReplaceSealed(&v, base, [&](const bj::value& sealed, const std::string& ptr) {
    std::string_view text = sealed.get_string();
    auto plain = box->Open(text, ptr);
    if (plain.ok()) {
      auto parsed = json::Parse(*plain, {.max_depth = 256, .max_bytes = size_t(1) << 30});
      if (parsed.ok()) return std::move(parsed).value();
    }
    failed = true;
    return bj::value(std::string(model::kSealedPrefix) + std::string(text));
  });
  *o = std::move(v.as_object());
  if (failed) {
    base::LogError(
        "a secret value of the job does not open with the current secret key",
        "\"job\":\"" + base::JsonEscape(job_id) + "\",\"at\":\"" + base::JsonEscape(base) + "\"");
  }
}

void MaskStoredVariables(bj::object* variables, const model::Workflow& wf) {
  bj::value v(std::move(*variables));
  model::MaskSealed(&v);
  model::ReplaceSecrets(&v, "", Relative(wf.encryption_pointers()), {}, Masker);
  *variables = std::move(v.as_object());
}

void MaskSnapshot(JobSnapshot* snap) {
  const std::vector<std::string>& pointers = snap->workflow->encryption_pointers();
  if (pointers.empty()) return;
  model::SecretSet set = model::CollectSecrets(snap->variables, pointers);
  bj::value v(std::move(snap->variables));
  model::ReplaceSecrets(&v, "", Relative(pointers), set, Masker);
  snap->variables = std::move(v.as_object());
  bj::value errors(std::move(snap->errors));
  MaskStrings(&errors, set);
  snap->errors = std::move(errors.as_array());
  snap->record.description = model::MaskText(std::move(snap->record.description), set);
}

bj::object MaskValues(const bj::object& values, const model::Workflow& wf,
                      const bj::object& variables) {
  const std::vector<std::string>& pointers = wf.encryption_pointers();
  if (pointers.empty()) return values;
  bj::value v(values);
  model::ReplaceSecrets(&v, "", {}, model::CollectSecrets(variables, pointers), Masker);
  return std::move(v.as_object());
}

}  // namespace opsflow::runtime
