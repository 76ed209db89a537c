#include "core/duplicates.hpp"

#include "core/clock_text.hpp"
#include "core/location.hpp"
#include "core/requests.hpp"
#include "storage/service_requests.hpp"

namespace civicline::core {
namespace {

std::vector<std::string> open_status_names() {
  std::vector<std::string> names;
  for (auto status : {request_status::new_request, request_status::acknowledged,
                      request_status::in_progress, request_status::reopened}) {
    names.emplace_back(to_string(status));
  }
  return names;
}

// The category's window from config; a category the config does not know gets the default.
std::chrono::days duplicate_window(const config::settings& settings, std::string_view category) {
  const auto* found = find_category(settings, category);
  return found != nullptr ? found->duplicate_window : config::category{}.duplicate_window;
}

}  // namespace

std::optional<service_request> find_open_duplicate(SQLite::Database& db,
                                                   const config::settings& settings,
                                                   std::string_view category, const location& where,
                                                   time_point now) {
  const auto window = duplicate_window(settings, category);
  if (window <= std::chrono::days::zero()) {
    return std::nullopt;  // the city wants every report of this category on its own
  }
  static const auto open = open_status_names();
  const auto since = to_iso8601(now - window);
  const auto key = where.key.empty() ? location_key(where.text) : where.key;
  if (!key.empty()) {
    if (auto record = storage::find_open_duplicate(db, category, key, open, since)) {
      return to_domain(*record);
    }
  }
  const int radius_m = settings.city.duplicate_radius_m;
  if (where.lat && where.lon && radius_m > 0) {
    if (auto record = storage::find_open_duplicate_near(db, category, *where.lat, *where.lon,
                                                        radius_m, open, since)) {
      return to_domain(*record);
    }
  }
  return std::nullopt;
}

report_outcome report_or_follow(SQLite::Database& db, const draft& from, channel source,
                                std::string_view language, std::int64_t reporter_id,
                                const config::settings& settings, time_point now) {
  const auto category = from.category.value_or("other");
  if (from.location) {
    if (auto original = find_open_duplicate(db, settings, category, *from.location, now)) {
      follow_service_request(db, *original, reporter_id, now);
      return {std::move(*original), true};
    }
  }
  return {create_service_request(db, from, source, language, reporter_id, settings, now), false};
}

}  // namespace civicline::core
