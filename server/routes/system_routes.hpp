#pragma once
// Operational endpoints: /healthz, /readyz, /metrics, the embedded web pages,
// and (when enabled in config) the diagnostics write probe.

#include "server/app_context.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// Registers the operational routes and the static-file fallback.
void add_system_routes(router& routes, app_context& app);

}  // namespace civicline::server
