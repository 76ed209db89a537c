#pragma once
// The public side of the city's record, open to anyone without logging in:
// GET /public/api/summary.json (the dashboard's figures, cached), GET /data/requests.csv and
// /data/requests.json (the open-data export, streamed), and the one admin route that edits
// the dashboard's "what we changed" notes: PUT /api/v1/public/notes. The page itself,
// /public/, is a static asset (server/web/public/).

#include <boost/asio/any_io_executor.hpp>

#include "server/app_context.hpp"
#include "server/http/router.hpp"

namespace civicline::server {

/// Registers the public routes; the dashboard's default periods are counted on `executor` as
/// soon as it runs, and stale summaries are recounted there.
void add_public_routes(router& routes, const app_context& app,
                       const boost::asio::any_io_executor& executor);

}  // namespace civicline::server
