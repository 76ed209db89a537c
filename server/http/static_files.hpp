#pragma once
// The web assets under server/web/, embedded in the binary at build time and
// served with their content types. Nothing is read from disk at run time, so
// no request path can reach the file system.

#include "server/http/message.hpp"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace civicline::server {

class static_files {
 public:
  /// Serves the files compiled into this binary.
  static_files();
  /// Serves the given files (path relative to the web root -> bytes); for tests.
  explicit static_files(std::span<const std::pair<std::string_view, std::string_view>> files);

  /// The response for a GET of request.path: the file, 304, a redirect to the
  /// directory form, or 404.
  http_response serve(const http_request& request) const;

 private:
  struct asset {
    std::string_view bytes;
    std::string content_type;
    std::string etag;
  };
  std::map<std::string, asset, std::less<>> assets_;
};

/// The MIME type for a file name's extension ("application/octet-stream" if unknown).
std::string_view content_type_for(std::string_view file_name);

}  // namespace civicline::server
