#include "server/routes/staff_routes.hpp"

#include <memory>

#include "server/routes/admin_routes.hpp"
#include "server/routes/event_routes.hpp"
#include "server/routes/handoff_routes.hpp"
#include "server/routes/request_routes.hpp"
#include "server/routes/session_routes.hpp"
#include "server/routes/staff_context.hpp"
#include "server/routes/supervisor_routes.hpp"
#include "server/routes/webhook_routes.hpp"

namespace civicline::server {

void add_staff_routes(router& routes, const app_context& app, const live_knowledge& knowledge,
                      std::function<void()> notifications_queued) {
  // Shared by every handler; the router's handlers keep it alive as long as the routes.
  auto context = std::make_shared<staff_context>(app, knowledge, std::move(notifications_queued),
                                                 auth::auth_policy{});
  add_session_routes(routes, context);
  add_request_routes(routes, context);
  add_handoff_routes(routes, context);
  add_admin_routes(routes, context);
  add_supervisor_routes(routes, context);
  add_event_routes(routes, context);
  add_webhook_routes(routes, context);
}

}  // namespace civicline::server
