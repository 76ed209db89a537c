#pragma once
// The SMS webhooks: Twilio's inbound messages (signed, answered with TwiML) and delivery
// status callbacks, and Vonage's inbound messages (answered through its API).

#include <functional>

#include "core/inbox.hpp"
#include "server/app_context.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// `outbound_ready` is called when replies were queued for a provider's API, so they leave
/// now rather than at the next poll.
void add_sms_routes(router& routes, const app_context& app, core::inbox& inbox,
                    std::function<void()> outbound_ready);

}  // namespace civicline::server
