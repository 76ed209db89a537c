#pragma once
// The security headers every response carries, set in one place (the connection adds them
// before it writes), so no page, static file or error can go out without them.

#include <string_view>

#include "server/http/message.hpp"

namespace civicline::server {

/// The Content-Security-Policy for everything civicline serves: only our own scripts, styles,
/// images (and data: images), connections; no plugins, no <base>, forms post only to us, and
/// no page may be framed. Pages therefore have no inline script or style.
inline constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

/// Adds Content-Security-Policy (unless the handler set its own, e.g. a page meant to be
/// framed), X-Frame-Options for browsers without frame-ancestors, X-Content-Type-Options and
/// Referrer-Policy. A policy on a script or an image does nothing, so scripts embedded by
/// other sites (/chat/widget.js) are unaffected.
void add_security_headers(header_fields& headers);

}  // namespace civicline::server
