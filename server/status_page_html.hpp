#pragma once
// The HTML of the public status page /r/{tracking_id}: server-rendered, readable without
// JavaScript, no inline script or style (the Content-Security-Policy allows neither). Every
// text from the database is escaped.

#include <string>
#include <string_view>

#include "core/status_page.hpp"

namespace civicline::server {

/// The page for one request.
std::string render_status_page(const core::status_view& view, std::string_view city_name);

/// The friendly page for an unknown or malformed tracking id (served with 404).
std::string render_status_not_found(nlp::language lang, std::string_view city_name,
                                    std::string_view asked);

}  // namespace civicline::server
