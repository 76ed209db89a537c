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

/// Registers the public routes. Every count runs on `counting` (a thread of its own, not an
/// I/O thread): the dashboard's default periods and the day index as soon as it runs, then
/// stale summaries and the summaries of new custom ranges.
void add_public_routes(router& routes, const app_context& app,
                       const boost::asio::any_io_executor& counting);

}  // namespace civicline::server
