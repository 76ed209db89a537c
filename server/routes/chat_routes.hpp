#pragma once
// The web chat's HTTP endpoints: POST /chat/api/messages here, the transcript feed
// (GET /chat/api/messages, GET /chat/ws) in chat_feed_routes.hpp. The widget itself is a
// static file (server/web/chat/).

#include "server/attachment_store.hpp"
#include "server/http/router.hpp"
#include "server/routes/chat_session.hpp"

namespace civicline::server {

/// Registers POST (and the CORS preflight OPTIONS) /chat/api/messages; `attachments` resolves
/// the photo ids a message names.
void add_chat_routes(router& routes, chat_context& chat, const attachment_store& attachments);

}  // namespace civicline::server
