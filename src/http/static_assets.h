// The operator's web page (SPEC §9): a Handler in front of the API that serves the page's files,
// embedded in the binary at build time (web/ turned into web_assets.cc by
// src/http/embed_web.cmake), at `/` (index.html) and under `/ui/` (a prefix no API route uses).
// Every other request goes to the wrapped handler unchanged. The page needs no login to load;
// what it shows comes from the API, which checks the caller as always.
// Thread-safety: Handle is safe from any thread (the table is immutable).
#pragma once

#include <cstddef>
#include <memory>
#include <string_view>

#include "api/http_types.h"

namespace opsflow::http {

// One embedded file: `path` is relative to web/ ("index.html", "app.js").
struct WebAsset {
  const char* path;
  const unsigned char* data;
  size_t size;
};

// The generated table (web_assets.cc); `kWebAssetCount` entries.
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

// The asset served for a request path, or null: "/" and "/index.html" give index.html,
// "/ui/<file>" gives <file>; anything else (or a path with "..") is not an asset.
const WebAsset* FindWebAsset(std::string_view path);
// The Content-Type for a file name by its extension.
std::string_view WebContentType(std::string_view path);

class StaticAssets final : public api::Handler {
 public:
  explicit StaticAssets(std::shared_ptr<api::Handler> next) : next_(std::move(next)) {}
  void Handle(api::Request req, api::Responder done) override;

 private:
  std::shared_ptr<api::Handler> next_;
};

}  // namespace opsflow::http
