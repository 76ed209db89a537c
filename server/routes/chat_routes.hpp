#pragma once
// The web chat's HTTP endpoints (the widget itself comes with the web chat issue).

#include "core/inbox.hpp"
#include "server/attachment_store.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// Registers POST /chat/api/messages. `secure_cookies` marks the session cookie Secure (set
/// when the public URL is https). `attachments` resolves the photo ids a message names.
void add_chat_routes(router& routes, core::inbox& inbox, bool secure_cookies,
                     const attachment_store& attachments);

}  // namespace civicline::server
