#include "server/http/static_files.hpp"

#include <boost/url/pct_string_view.hpp>
#include <fmt/format.h>

#include <array>

namespace civicline::server {

std::span<const std::pair<std::string_view, std::string_view>> embedded_web_files();

namespace {

std::uint64_t fnv1a(std::string_view bytes) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash = (hash ^ c) * 0x100000001b3ULL;
  }
  return hash;
}

/// Decodes the path and drops the leading slash; nullopt for anything that could
/// name a file outside the web root or is not valid percent-encoding.
std::optional<std::string> relative_asset_path(std::string_view encoded_path) {
  auto checked = boost::urls::make_pct_string_view(encoded_path);
  if (!checked) {
    return std::nullopt;
  }
  std::string path = checked->decode();
  if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos ||
      path.find('\\') != std::string::npos) {
    return std::nullopt;
  }
  path.erase(0, 1);
  std::string_view rest = path;
  while (!rest.empty()) {
    const auto segment = rest.substr(0, rest.find('/'));
    if (segment.starts_with(".") || (segment.empty() && rest.size() > 1)) {
      return std::nullopt;  // "..", hidden files and "//"
    }
    rest.remove_prefix(std::min(rest.size(), segment.size() + 1));
  }
  return path;
}

}  // namespace

std::string_view content_type_for(std::string_view file_name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 14> types{{
      {".html", "text/html; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
      {".webmanifest", "application/manifest+json"},
      {".yaml", "application/yaml"},
      {".md", "text/markdown; charset=utf-8"},
  }};
  for (const auto& [extension, type] : types) {
    if (file_name.ends_with(extension)) {
      return type;
    }
  }
  return "application/octet-stream";
}

static_files::static_files() : static_files(embedded_web_files()) {}

static_files::static_files(std::span<const std::pair<std::string_view, std::string_view>> files) {
  for (const auto& [path, bytes] : files) {
    assets_.emplace(std::string(path),
                    asset{bytes, std::string(content_type_for(path)),
                          fmt::format("\"{:016x}\"", fnv1a(bytes))});
  }
}

http_response static_files::serve(const http_request& request) const {
  auto path = relative_asset_path(request.path);
  if (!path) {
    return error_response(404, "not_found", "Nothing is served at this path.");
  }
  if (path->empty() || path->back() == '/') {
    *path += "index.html";
  } else if (assets_.contains(*path + "/index.html")) {
    http_response redirect;
    redirect.status = 301;
    redirect.headers.set("Location", request.path + "/");
    return redirect;
  }
  const auto found = assets_.find(*path);
  if (found == assets_.end()) {
    return error_response(404, "not_found", "Nothing is served at this path.");
  }
  const auto& file = found->second;
  http_response response;
  response.headers.set("ETag", file.etag);
  response.headers.set("Cache-Control", "no-cache");
  if (request.headers.get("If-None-Match") == file.etag) {
    response.status = 304;
    return response;
  }
  response.headers.set("Content-Type", file.content_type);
  response.body = std::string(file.bytes);
  return response;
}

}  // namespace civicline::server
