#pragma once
// The web chat's transcript feed: GET /chat/api/messages?after=N[&wait=S] (history, and the
// long-poll fallback) and GET /chat/ws (WebSocket pushes). Both send every message of the
// visitor with an id above the cursor, oldest first, so a reload or a reconnect resumes with
// nothing lost and nothing doubled.

#include "server/http/router.hpp"
#include "server/routes/chat_session.hpp"

namespace civicline::server {

/// Registers GET /chat/api/messages and GET /chat/ws.
void add_chat_feed_routes(router& routes, chat_context& chat);

}  // namespace civicline::server
