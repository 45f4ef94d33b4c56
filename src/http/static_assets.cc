#include "http/static_assets.h"

#include <cstdint>
#include <cstdio>
#include <string>

namespace opsflow::http {
namespace {

constexpr std::string_view kPrefix = "/ui/";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A strong validator for the asset (FNV-1a of its bytes), so a reload costs a 304.
std::string ETagOf(const WebAsset& a) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < a.size; ++i) {
    h ^= a.data[i];
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace

const WebAsset* FindWebAsset(std::string_view path) {
  std::string_view name;
  if (path == "/" || path == "/index.html") {
    name = "index.html";
  } else if (path.size() > kPrefix.size() && path.substr(0, kPrefix.size()) == kPrefix) {
    name = path.substr(kPrefix.size());
  } else {
    return nullptr;
  }
  if (name.find("..") != std::string_view::npos) return nullptr;
  for (size_t i = 0; i < kWebAssetCount; ++i) {
    if (name == kWebAssets[i].path) return &kWebAssets[i];
  }
  return nullptr;
}

std::string_view WebContentType(std::string_view path) {
  if (EndsWith(path, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(path, ".js")) return "text/javascript; charset=utf-8";
  if (EndsWith(path, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(path, ".svg")) return "image/svg+xml";
  if (EndsWith(path, ".json")) return "application/json; charset=utf-8";
  return "application/octet-stream";
}

void StaticAssets::Handle(api::Request req, api::Responder done) {
  bool page_path = req.path == "/" || req.path == "/index.html" ||
                   req.path.compare(0, kPrefix.size(), kPrefix) == 0;
  if (!page_path) {
    next_->Handle(std::move(req), std::move(done));
    return;
  }
  if (req.method != "GET") {
    done(api::ErrorResponse(405, "method " + req.method + " is not allowed on " + req.path +
                                     " (the web page's files are read with GET)"));
    return;
  }
  const WebAsset* a = FindWebAsset(req.path);
  if (!a) {
    done(api::ErrorResponse(404, "no web page file at " + req.path));
    return;
  }
  api::Response r;
  std::string etag = ETagOf(*a);
  r.headers.emplace_back("ETag", etag);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; img-src 'self' data: blob:; "
                         "style-src 'self'; object-src 'none'; base-uri 'none'; "
                         "frame-ancestors 'none'");
  r.headers.emplace_back("Referrer-Policy", "no-referrer");
  if (req.Header("if-none-match") == etag) {
    r.status = 304;
    r.content_type = WebContentType(a->path);
    done(std::move(r));
    return;
  }
  r.content_type = WebContentType(a->path);
  r.body.assign(reinterpret_cast<const char*>(a->data), a->size);
  done(std::move(r));
}

}  // namespace opsflow::http
