#include "auth/bearer.h"

namespace opsflow::auth {

namespace {

bool Blank(char c) { return c == ' ' || c == '\t'; }

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string BearerToken(std::string_view authorization) {
  std::string_view h = authorization;
  while (!h.empty() && Blank(h.front())) h.remove_prefix(1);
  while (!h.empty() && Blank(h.back())) h.remove_suffix(1);
  constexpr std::string_view kScheme = "bearer";
  if (h.size() <= kScheme.size() || !Blank(h[kScheme.size()])) return "";
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (Lower(h[i]) != kScheme[i]) return "";
  }
  h.remove_prefix(kScheme.size());
  while (!h.empty() && Blank(h.front())) h.remove_prefix(1);
  // A token68 has no blanks: anything after one is not a bearer token.
  for (char c : h) {
    if (Blank(c)) return "";
  }
  return std::string(h);
}

}  // namespace opsflow::auth
