#pragma once

#include <CLI/CLI.hpp>

namespace civicline::server {

/// `civicline export --format csv|json [--since DATE]`: the open-data export (the same rows as
/// /data/requests.csv) written to stdout, a page at a time.
void add_export_command(CLI::App& app, int& exit_status);

}  // namespace civicline::server
