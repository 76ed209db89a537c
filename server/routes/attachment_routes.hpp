#pragma once
// Photos in the web chat:
//   POST /chat/api/attachments          the visitor's photo as the raw body (Content-Type
//                                       image/jpeg, image/png or image/heic); 201 {"id": ...}
//   GET  /api/v1/attachments/{id}       staff (read_requests): the original file
//   GET  /r/{tracking_id}/photos/{file} anyone: the EXIF-free thumbnail of a request's photo
// The visitor names the ids in POST /chat/api/messages {"attachments": [...]}.

#include "server/app_context.hpp"
#include "server/attachment_store.hpp"
#include "server/http/http_server.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// The body limit of the upload route (attachments.max_bytes instead of http.max_body_bytes).
body_limit_rule attachment_body_limit(const config::attachment_settings& settings);

/// Registers the three routes above.
void add_attachment_routes(router& routes, const app_context& app, attachment_store& store,
                           bool secure_cookies);

}  // namespace civicline::server
