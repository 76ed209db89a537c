#pragma once
// The staff REST API under /api/v1: login sessions and the request queue. Every endpoint
// authenticates (server/auth/) and checks the caller's role; partner keys reach none of them.

#include <functional>

#include "server/app_context.hpp"
#include "server/http/router.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {

/// Registers the staff API. `notifications_queued` is called after a change queued messages
/// to residents (wakes the SMS dispatcher so they leave at once).
void add_staff_routes(router& routes, const app_context& app, const live_knowledge& knowledge,
                      std::function<void()> notifications_queued);

}  // namespace civicline::server
