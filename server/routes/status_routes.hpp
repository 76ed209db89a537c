#pragma once
// The public status page of a request: GET /r/{tracking_id} (HTML, English or Spanish by
// ?lang= or Accept-Language) and GET /r/{tracking_id}.json (the same data). No login; nothing
// personal is read (core/status_page.hpp).

#include "server/app_context.hpp"
#include "server/attachment_store.hpp"
#include "server/http/router.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {

/// Registers /r/{tracking_id} and /r/{tracking_id}.json; `attachments` says which photos have a
/// public thumbnail.
void add_status_routes(router& routes, const app_context& app, const live_knowledge& knowledge,
                       const attachment_store& attachments);

}  // namespace civicline::server
