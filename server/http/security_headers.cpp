#include "server/http/security_headers.hpp"

#include <string>

namespace civicline::server {

void add_security_headers(header_fields& headers) {
  if (!headers.get("Content-Security-Policy")) {
    headers.set("Content-Security-Policy", std::string(content_security_policy));
    headers.set("X-Frame-Options", "DENY");
  }
  headers.set("X-Content-Type-Options", "nosniff");
  // Tracking ids in /r/ links and console paths stay on this site.
  if (!headers.get("Referrer-Policy")) {
    headers.set("Referrer-Policy", "same-origin");
  }
}

}  // namespace civicline::server
