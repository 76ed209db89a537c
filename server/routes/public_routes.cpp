#include "server/routes/public_routes.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"
#include "core/clock_text.hpp"
#include "core/public_day_index.hpp"
#include "core/public_summary.hpp"
#include "server/auth/authenticate.hpp"
#include "server/logging.hpp"
#include "server/open_data_stream.hpp"
#include "server/storage_await.hpp"
#include "storage/public_stats.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using nlohmann::json;

/// The longest note, in bytes.
constexpr std::size_t max_note_bytes = 4000;
/// More cached periods than this (custom ranges) and the cache starts again.
constexpr std::size_t max_cached_periods = 64;

/// Computed summaries by period, fresh for public.cache_seconds. After that an entry is still
/// served (for up to stale_factor times as long) while one background job computes it anew,
/// so no visitor waits for a recount of a period someone asked for recently. A changed note
/// clears everything.
class summary_cache {
 public:
  struct found {
    std::string json;
    bool refresh = false;  ///< stale: the caller should start the one recount
  };

  std::optional<found> find(const std::string& key, std::chrono::steady_clock::time_point now,
                            std::chrono::seconds ttl) {
    std::lock_guard lock(mutex_);
    const auto entry = entries_.find(key);
    if (entry == entries_.end() || now - entry->second.made >= ttl * stale_factor) {
      return std::nullopt;
    }
    found result{entry->second.json, false};
    if (now - entry->second.made >= ttl && !entry->second.refreshing) {
      entry->second.refreshing = true;
      result.refresh = true;
    }
    return result;
  }
  void store(std::string key, std::string json, std::chrono::steady_clock::time_point made) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_cached_periods && !entries_.contains(key)) {
      entries_.clear();
    }
    entries_[std::move(key)] = {std::move(json), made, false};
  }
  void clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }

 private:
  static constexpr int stale_factor = 10;
  struct entry {
    std::string json;
    std::chrono::steady_clock::time_point made;
    bool refreshing = false;
  };
  std::mutex mutex_;
  std::map<std::string, entry> entries_;
};

/// Days in the day index: a custom range inside the last 400 days (a year and a comparison
/// period before it) is cut from memory; a longer or older one is counted from the database.
constexpr int day_index_days = 400;

/// The day index in force (core/public_day_index.hpp): fresh for public.cache_seconds, then
/// still used (for up to stale_factor times as long) while one background job rebuilds it.
class day_index_holder {
 public:
  struct found {
    std::shared_ptr<const core::public_day_index> index;
    bool rebuild = false;  ///< stale: the caller should start the one rebuild
  };

  found find(std::chrono::steady_clock::time_point now, std::chrono::seconds ttl) {
    std::lock_guard lock(mutex_);
    if (!index_ || now - made_ >= ttl * stale_factor) {
      // None to cut from: the caller counts from the database, and one job builds the index.
      const bool rebuild = !rebuilding_;
      rebuilding_ = true;
      return {nullptr, rebuild};
    }
    found result{index_, false};
    if (now - made_ >= ttl && !rebuilding_) {
      rebuilding_ = true;
      result.rebuild = true;
    }
    return result;
  }
  void store(std::shared_ptr<const core::public_day_index> index,
             std::chrono::steady_clock::time_point made) {
    std::lock_guard lock(mutex_);
    index_ = std::move(index);
    made_ = made;
    rebuilding_ = false;
  }
  /// A build is under way (the one at start-up): no caller should start another.
  void mark_rebuilding() {
    std::lock_guard lock(mutex_);
    rebuilding_ = true;
  }
  /// Drops the index (an admin's refresh); the next custom range starts a rebuild.
  void clear() {
    std::lock_guard lock(mutex_);
    index_.reset();
  }

 private:
  static constexpr int stale_factor = 10;
  std::mutex mutex_;
  std::shared_ptr<const core::public_day_index> index_;
  std::chrono::steady_clock::time_point made_;
  bool rebuilding_ = false;
};

struct public_state {
  public_state(const app_context& app_in, boost::asio::any_io_executor counting_in)
      : app(app_in),
        authenticator(app_in.db, auth::auth_policy{}, app_in.now,
                      app_in.settings.server.public_base_url),
        counting(std::move(counting_in)) {}
  const app_context& app;
  auth::authenticator authenticator;
  /// Where counts run: never on the I/O threads, which must keep answering meanwhile.
  boost::asio::any_io_executor counting;
  summary_cache cache;
  day_index_holder days;
};

std::map<std::string, std::string, std::less<>> query_params(const http_request& request) {
  std::map<std::string, std::string, std::less<>> params;
  if (auto parsed = channels::parse_form_body(request.query)) {
    for (auto& [name, value] : *parsed) {
      params.emplace(std::move(name), std::move(value));
    }
  }
  return params;
}

/// Runs the received scan (with the backlog and the notes) and the closed scan at once, on two
/// pooled readers (each about half the work). They are two snapshots taken together, so a
/// write committed between their starts may show in one only.
void read_stats(const public_state& state, const storage::public_stats_query& query,
                storage::public_stats_rows& rows,
                std::vector<storage::public_note_record>* stored_notes) {
  storage::public_stats_rows closed;
  auto closed_scan = std::async(std::launch::async, [&] {
    state.app.db.read([&](SQLite::Database& db) { storage::read_closed_stats(db, query, closed); });
  });
  try {
    state.app.db.read([&](SQLite::Database& db) {
      storage::read_received_stats(db, query, rows);
      if (stored_notes != nullptr) {
        storage::read_backlog(db, query, rows);
        *stored_notes = storage::public_notes(db);
      }
    });
  } catch (...) {
    closed_scan.wait();  // it uses `closed` and `query`: never leave it running
    throw;
  }
  closed_scan.get();
  rows.closed = std::move(closed.closed);
  rows.close_ms = std::move(closed.close_ms);
  rows.close_bucket = std::move(closed.close_bucket);
}

std::shared_ptr<const core::public_day_index> build_day_index(const public_state& state) {
  const auto now = state.app.now();
  auto index = std::make_shared<core::public_day_index>();
  index->first_day = core::day_index_start(now, day_index_days);
  index->day_count = day_index_days;
  read_stats(state, core::day_index_query(now, day_index_days), index->rows, nullptr);
  return index;
}

/// Builds the day index and puts it in force; never throws. A failed build leaves none in
/// force, so the next custom range counts from the database and tries again.
void rebuild_day_index(public_state& state) {
  const auto started = std::chrono::steady_clock::now();
  try {
    state.days.store(build_day_index(state), started);
  } catch (const std::exception& e) {
    state.days.store(nullptr, started);
    log_event(log_level::error, "public_day_index_failed", {{"error", e.what()}});
  }
}

std::string compute_summary(public_state& state, const core::summary_period& period) {
  const auto now = state.app.now();
  const auto query = core::stats_query_for(period, now);
  const auto ttl = state.app.settings.public_data.cache_ttl;
  if (period.name == "custom" && ttl.count() > 0) {
    auto days = state.days.find(std::chrono::steady_clock::now(), ttl);
    if (days.rebuild) {
      boost::asio::post(state.counting, [&state] { rebuild_day_index(state); });
    }
    if (days.index) {
      if (auto rows = core::slice_day_index(*days.index, period)) {
        // The backlog is "open now": asked for now, like the notes (two small reads).
        const auto stored_notes = state.app.db.read([&](SQLite::Database& db) {
          storage::read_backlog(db, query, *rows);
          return storage::public_notes(db);
        });
        return core::summary_json(period, std::move(*rows), state.app.settings,
                                  core::public_notes_for(state.app.settings, stored_notes), now);
      }
    }
  }
  storage::public_stats_rows rows;
  std::vector<storage::public_note_record> stored_notes;
  read_stats(state, query, rows, &stored_notes);
  return core::summary_json(period, std::move(rows), state.app.settings,
                            core::public_notes_for(state.app.settings, stored_notes), now);
}

std::string cache_key(const core::summary_period& period) {
  return period.name == "custom" ? core::to_iso8601(period.from) + "/" + core::to_iso8601(period.to)
                                 : period.name;
}

/// Computes the period's summary and caches it (when caching is on); never throws.
void recount(public_state& state, const core::summary_period& period) {
  try {
    const auto started = std::chrono::steady_clock::now();
    auto body = compute_summary(state, period);
    if (state.app.settings.public_data.cache_ttl.count() > 0) {
      state.cache.store(cache_key(period), std::move(body), started);
    }
  } catch (const std::exception& e) {
    log_event(log_level::error, "public_summary_failed", {{"error", e.what()}});
  }
}

awaitable<http_response> summary(std::shared_ptr<public_state> state, http_request& request) {
  auto period = core::parse_summary_period(query_params(request), state->app.now());
  if (const auto* problem = std::get_if<std::string>(&period)) {
    co_return error_response(400, "bad_request", *problem);
  }
  const auto chosen = std::get<core::summary_period>(period);
  const auto ttl = state->app.settings.public_data.cache_ttl;
  const auto now = std::chrono::steady_clock::now();
  std::string body;
  if (auto cached = state->cache.find(cache_key(chosen), now, ttl)) {
    body = std::move(cached->json);
    if (cached->refresh) {
      // Answer with the stale figures now; one job recounts them for the next visitors.
      boost::asio::post(state->counting, [state, chosen] {
        // Relative periods end "now": recount from the current time.
        auto current = chosen;
        if (current.name != "custom") {
          const auto span = current.to - current.from;
          current.to = state->app.now();
          current.from = current.to - span;
        }
        recount(*state, current);
      });
    }
  } else {
    // Counted off the I/O thread (a full count of a long range takes about a second at a
    // million requests); named, not a temporary in the co_await (GCC 12).
    auto count = [state, chosen]() -> awaitable<std::string> {
      co_return compute_summary(*state, chosen);
    };
    body = co_await boost::asio::co_spawn(state->counting, std::move(count), use_awaitable);
    if (ttl.count() > 0) {
      state->cache.store(cache_key(chosen), body, now);
    }
  }
  auto response = json_response(200, std::move(body));
  response.headers.set("Cache-Control", "public, max-age=" + std::to_string(ttl.count()));
  // Journalists' and the city's own dashboards read it from other origins.
  response.headers.set("Access-Control-Allow-Origin", "*");
  co_return response;
}

awaitable<http_response> export_requests(public_state& state, http_request& request,
                                         export_format format) {
  const auto params = query_params(request);
  std::string since;
  if (const auto given = params.find("since"); given != params.end()) {
    auto parsed = since_from_date(given->second);
    if (!parsed) {
      co_return error_response(400, "bad_request",
                               "since must be a date written YYYY-MM-DD, e.g. 2026-01-31.");
    }
    since = std::move(*parsed);
  }
  auto stream = std::make_shared<open_data_stream>(state.app.db, state.app.settings, format,
                                                   std::move(since));
  http_response response;
  response.headers.set("Content-Type", format == export_format::csv
                                           ? "text/csv; charset=utf-8; header=present"
                                           : "application/json");
  response.headers.set("Content-Disposition", format == export_format::csv
                                                  ? "inline; filename=\"requests.csv\""
                                                  : "inline; filename=\"requests.json\"");
  response.headers.set("Access-Control-Allow-Origin", "*");
  response.stream = [stream] { return stream->next(); };
  co_return response;
}

awaitable<http_response> put_notes(public_state& state, http_request& request) {
  const auto who = state.authenticator.require(request, auth::permission::administer);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto& caller = std::get<auth::principal>(who);
  if (!has_content_type(request, "application/json")) {
    co_return error_response(
        415, "unsupported_media_type",
        "Send the notes as application/json: {\"en\": \"...\", \"es\": \"...\"}.");
  }
  const auto body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || body.empty()) {
    co_return error_response(400, "bad_request",
                             "Send an object of notes by language, e.g. {\"en\": \"...\", \"es\": "
                             "\"...\"}; an empty text removes a language's note.");
  }
  const auto& languages = state.app.settings.city.languages;
  std::vector<storage::public_note_record> notes;
  const auto now = core::to_iso8601(state.app.now());
  for (const auto& [language, text] : body.items()) {
    if (std::find(languages.begin(), languages.end(), language) == languages.end()) {
      co_return error_response(422, "unprocessable_entity",
                               "\"" + language.substr(0, 10) +
                                   "\" is not one of the city's languages (city.languages).");
    }
    if (!text.is_string() || text.get_ref<const std::string&>().size() > max_note_bytes) {
      co_return error_response(422, "unprocessable_entity",
                               "Each note must be a text of at most 4000 bytes.");
    }
    notes.push_back({language, text.get<std::string>(), now, auth::actor_id(caller)});
  }
  // Named, not a temporary in the co_await (GCC 12, see docs/ARCHITECTURE.md).
  storage::write_work save = [notes](SQLite::Database& db) {
    for (const auto& note : notes) {
      storage::save_public_note(db, note);
    }
  };
  co_await async_write(state.app.db, std::move(save), use_awaitable);
  // An admin's edit is also the way to have every figure counted again now.
  state.cache.clear();
  state.days.clear();
  log_event(log_level::info, "public_notes_changed", {{"by", auth::actor_id(caller)}});
  const auto stored =
      state.app.db.read([](SQLite::Database& db) { return storage::public_notes(db); });
  auto response = json_response(
      200, json{{"notes", core::public_notes_for(state.app.settings, stored)}}.dump());
  response.headers.set("Cache-Control", "no-store");
  co_return response;
}

}  // namespace

void add_public_routes(router& routes, const app_context& app,
                       const boost::asio::any_io_executor& counting) {
  auto state = std::make_shared<public_state>(app, counting);
  routes.add("GET", "/public/api/summary.json", route_access::open,
             [state](http_request& request) { return summary(state, request); });
  if (app.settings.public_data.cache_ttl.count() > 0) {
    // Count the dashboard's default periods and build the day index once the server runs, so
    // the first visitors after a start find them ready.
    state->days.mark_rebuilding();
    boost::asio::post(counting, [state] {
      const auto now = state->app.now();
      for (const char* days : {"30", "90", "365"}) {
        const auto period = core::parse_summary_period({{"period", days}}, now);
        recount(*state, std::get<core::summary_period>(period));
      }
      rebuild_day_index(*state);
    });
  }
  routes.add("GET", "/data/requests.csv", route_access::open, [state](http_request& request) {
    return export_requests(*state, request, export_format::csv);
  });
  routes.add("GET", "/data/requests.json", route_access::open, [state](http_request& request) {
    return export_requests(*state, request, export_format::json);
  });
  routes.add("PUT", "/api/v1/public/notes", route_access::admin,
             [state](http_request& request) { return put_notes(*state, request); });
}

}  // namespace civicline::server
