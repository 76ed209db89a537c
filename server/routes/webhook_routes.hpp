#pragma once
// The admin API of partner webhooks (docs/WEBHOOKS.md), all under the administer permission:
//   POST   /api/v1/webhooks                       create (answers the secret, once)
//   GET    /api/v1/webhooks                       list
//   GET    /api/v1/webhooks/{id}                  one subscription
//   PATCH  /api/v1/webhooks/{id}                  change url, events, categories, description,
//                                                 enabled, include_pii
//   DELETE /api/v1/webhooks/{id}                  delete with its deliveries
//   POST   /api/v1/webhooks/{id}/rotate-secret    new secret; the old one signs for a while
//   GET    /api/v1/webhooks/{id}/deliveries       deliveries with their attempts (?status=)
//   POST   /api/v1/webhooks/{id}/redeliver        {"event_id": ...} or {"failed_since": ...}
//   GET    /api/v1/events/{event_id}/deliveries   one event's deliveries to every endpoint

#include <memory>

#include "server/http/router.hpp"
#include "server/routes/staff_context.hpp"

namespace civicline::server {

void add_webhook_routes(router& routes, std::shared_ptr<staff_context> context);

}  // namespace civicline::server
