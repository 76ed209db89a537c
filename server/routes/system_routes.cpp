#include "server/routes/system_routes.hpp"

#include <fmt/format.h>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "server/storage_await.hpp"
#include "storage/write_probes.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;
using nlohmann::json;

constexpr std::size_t max_probe_key_bytes = 128;

/// A disk that fills up or turns read-only is only seen by a write. /readyz writes its probe
/// row while writes are failing (to see the fault clear without a restart) and when nothing
/// committed for this long (an idle server whose disk filled up); otherwise recent commits
/// are proof enough, and a busy server is not given extra writes.
constexpr auto readiness_write_interval = std::chrono::seconds(5);

/// 200 when the database answers a read and takes a write; 503 naming which failed.
awaitable<http_response> readiness(app_context& app) {
  if (!app.db.reachable()) {
    co_return error_response(503, "service_unavailable", "The database cannot be read.");
  }
  const auto health = app.db.health();
  if (health.failing ||
      std::chrono::steady_clock::now() - health.last_commit > readiness_write_interval) {
    // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
    storage::write_work probe = [at = core::to_iso8601(app.now())](SQLite::Database& db) {
      storage::record_readiness_probe(db, at);
    };
    bool written = false;
    try {
      co_await async_write(app.db, std::move(probe), boost::asio::use_awaitable);
      written = true;
    } catch (const storage::storage_error&) {
      // Answered below; the write's error is in the writer's health and the handlers' logs.
    }
    if (!written) {
      auto response = error_response(
          503, "storage_unavailable",
          "The database can be read but not written (disk full, read-only or an I/O error): "
          "writes answer 503 until it clears. The server log names the cause "
          "(event \"storage_unavailable\").");
      response.headers.set("Retry-After", "5");
      co_return response;
    }
  }
  co_return json_response(200, R"({"status":"ready"})");
}

void render_storage_metrics(const storage::writer_stats& stats, std::string& out) {
  out += "# HELP civicline_storage_writer_queue_depth Write jobs waiting for the writer.\n";
  out += "# TYPE civicline_storage_writer_queue_depth gauge\n";
  out += fmt::format("civicline_storage_writer_queue_depth {}\n", stats.queue_depth);
  out += "# HELP civicline_storage_jobs_total Write jobs finished, by outcome.\n";
  out += "# TYPE civicline_storage_jobs_total counter\n";
  out += fmt::format("civicline_storage_jobs_total{{outcome=\"committed\"}} {}\n",
                     stats.jobs_committed);
  out += fmt::format("civicline_storage_jobs_total{{outcome=\"failed\"}} {}\n", stats.jobs_failed);
  out += "# HELP civicline_storage_commit_batch_size Write jobs committed per transaction.\n";
  out += "# TYPE civicline_storage_commit_batch_size histogram\n";
  for (const auto& [bound, count] : stats.batch_size_buckets) {
    const auto le = bound == std::numeric_limits<std::size_t>::max() ? std::string("+Inf")
                                                                     : std::to_string(bound);
    out += fmt::format("civicline_storage_commit_batch_size_bucket{{le=\"{}\"}} {}\n", le, count);
  }
  out += fmt::format("civicline_storage_commit_batch_size_sum {}\n", stats.batch_size_sum);
  out += fmt::format("civicline_storage_commit_batch_size_count {}\n", stats.batches);
  out +=
      "# HELP civicline_storage_writer_seconds_total Time the writer thread spent, by phase "
      "(work: running jobs; commit: writing and syncing the log; acknowledge: the submitters' "
      "callbacks). The rest it waited for work.\n";
  out += "# TYPE civicline_storage_writer_seconds_total counter\n";
  for (const auto& [phase, time] :
       {std::pair{"work", stats.working}, std::pair{"commit", stats.committing},
        std::pair{"acknowledge", stats.acknowledging}}) {
    out += fmt::format("civicline_storage_writer_seconds_total{{phase=\"{}\"}} {:.6f}\n", phase,
                       std::chrono::duration<double>(time).count());
  }
}

awaitable<http_response> write_probe(app_context& app, http_request& request) {
  if (!has_content_type(request, "application/json")) {
    co_return error_response(415, "unsupported_media_type", "Send the probe as application/json.");
  }
  const auto body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) {
    co_return error_response(400, "bad_request", "The body is not valid JSON.");
  }
  if (!body.is_object() || !body.contains("key") || !body["key"].is_string() ||
      body["key"].get_ref<const std::string&>().empty() ||
      body["key"].get_ref<const std::string&>().size() > max_probe_key_bytes) {
    co_return error_response(422, "unprocessable_entity",
                             "Give \"key\": a non-empty string of at most 128 bytes.");
  }
  storage::write_probe probe{0, body["key"].get<std::string>(),
                             body.value("payload", json(nullptr)).dump(),
                             core::to_iso8601(app.now())};
  std::optional<std::int64_t> id;
  co_await async_write(
      app.db, [&](SQLite::Database& db) { id = storage::insert_write_probe(db, probe); },
      boost::asio::use_awaitable);
  if (!id) {
    co_return error_response(409, "conflict", "A probe with this key exists already.");
  }
  co_return json_response(201, json{{"key", probe.key}, {"id", *id}}.dump());
}

awaitable<http_response> read_probe(app_context& app, http_request& request) {
  const auto& key = request.path_params.at("key");
  auto probe =
      app.db.read([&](SQLite::Database& db) { return storage::find_write_probe(db, key); });
  if (!probe) {
    co_return error_response(404, "not_found", "No probe has this key.");
  }
  co_return json_response(200, json{{"key", probe->key},
                                    {"id", probe->id},
                                    {"payload", json::parse(probe->payload, nullptr, false)},
                                    {"created_at", probe->created_at}}
                                   .dump());
}

}  // namespace

void add_system_routes(router& routes, app_context& app) {
  routes.add("GET", "/healthz", route_access::open, [](http_request&) -> awaitable<http_response> {
    co_return json_response(200, R"({"status":"ok"})");
  });
  routes.add("GET", "/readyz", route_access::open,
             [&app](http_request&) { return readiness(app); });
  routes.add(
      "GET", "/metrics", route_access::open, [&app](http_request&) -> awaitable<http_response> {
        std::string out;
        app.metrics.render(out);
        render_storage_metrics(app.db.stats(), out);
        co_return text_response(200, "text/plain; version=0.0.4; charset=utf-8", std::move(out));
      });
  if (app.settings.diagnostics.write_probe) {
    routes.add("POST", "/_diag/write-probes", route_access::open,
               [&app](http_request& request) { return write_probe(app, request); });
    routes.add("GET", "/_diag/write-probes/{key}", route_access::open,
               [&app](http_request& request) { return read_probe(app, request); });
  }
  routes.set_fallback([&app](http_request& request) -> awaitable<http_response> {
    co_return app.web.serve(request);
  });
}

}  // namespace civicline::server
