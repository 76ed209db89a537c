#pragma once
// Open311 GeoReport v2 under /open311/v2/: discovery, services and their definitions, requests
// (read by anyone, created by partner API keys given as `api_key`), tokens, and FixMyStreet's
// servicerequestupdates extension. Every route answers in JSON or XML by its suffix; nothing
// a resident could be identified by is ever returned (see docs/OPEN311.md).

#include "server/app_context.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

void add_open311_routes(router& routes, const app_context& app);

}  // namespace civicline::server
