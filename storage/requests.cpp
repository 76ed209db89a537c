// Service requests, their followers and their history (storage/service_requests.hpp).

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "storage/database.hpp"
#include "storage/service_requests.hpp"
#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

using detail::bind_text;

constexpr double earth_radius_m = 6'371'008.8;  // the mean radius (IUGG)

// Column list shared by every query that returns a request_record (see read_request).
constexpr const char* request_columns =
    "r.id, r.tracking_id, r.category, r.status, r.duplicate_of, r.location_text, "
    "r.location_key, r.lat, r.lon, r.description, r.attributes_json, r.media_urls_json, "
    "r.channel, r.language, r.created_at, r.updated_at, r.due_at, r.team, r.assignee_id, "
    "(SELECT u.name FROM staff_users u WHERE u.id = r.assignee_id), r.priority";

std::string select_requests(const char* rest) {
  return std::string("SELECT ") + request_columns + " FROM service_requests r " + rest;
}

request_record read_request(const SQLite::Statement& row) {
  request_record r;
  r.id = row.getColumn(0).getInt64();
  r.tracking_id = detail::text_or_empty(row.getColumn(1));
  r.category = row.getColumn(2).getString();
  r.status = row.getColumn(3).getString();
  r.duplicate_of = detail::optional_text(row.getColumn(4));
  r.location_text = row.getColumn(5).getString();
  r.location_key = row.getColumn(6).getString();
  r.lat = detail::optional_double(row.getColumn(7));
  r.lon = detail::optional_double(row.getColumn(8));
  r.description = row.getColumn(9).getString();
  r.attributes_json = row.getColumn(10).getString();
  r.media_urls_json = row.getColumn(11).getString();
  r.channel = row.getColumn(12).getString();
  r.language = row.getColumn(13).getString();
  r.created_at = row.getColumn(14).getString();
  r.updated_at = row.getColumn(15).getString();
  r.due_at = detail::text_or_empty(row.getColumn(16));
  r.team = row.getColumn(17).getString();
  if (!row.getColumn(18).isNull()) {
    r.assignee_id = row.getColumn(18).getInt64();
  }
  r.assignee = detail::text_or_empty(row.getColumn(19));
  r.priority = row.getColumn(20).getString();
  return r;
}

std::optional<request_record> first_request(SQLite::Statement& select) {
  if (!select.executeStep()) {
    return std::nullopt;
  }
  return read_request(select);
}

std::vector<request_record> all_requests(SQLite::Statement& select) {
  std::vector<request_record> requests;
  while (select.executeStep()) {
    requests.push_back(read_request(select));
  }
  return requests;
}

std::string tracking_id_of(std::string_view prefix, int digits, std::int64_t id) {
  std::string number = std::to_string(id);
  if (digits > 0 && number.size() < static_cast<std::size_t>(digits)) {
    number.insert(0, static_cast<std::size_t>(digits) - number.size(), '0');
  }
  return std::string(prefix) + number;
}

/// The sort expression of an order. A missing due time sorts last in both directions.
const char* order_expression(request_order order) {
  switch (order) {
    case request_order::created_asc:
    case request_order::created_desc:
      return "r.created_at";
    case request_order::updated_asc:
    case request_order::updated_desc:
      return "r.updated_at";
    case request_order::due_asc:
      return "COALESCE(r.due_at, '~')";  // '~' sorts after every ISO 8601 time
    case request_order::due_desc:
      return "COALESCE(r.due_at, '')";
    case request_order::priority_desc:
      // A rank as text, so the cursor (a string) compares it like the other keys.
      return "(CASE r.priority WHEN 'urgent' THEN '3' WHEN 'high' THEN '2' WHEN 'normal' THEN "
             "'1' ELSE '0' END || r.created_at)";
    case request_order::id_desc:
      break;
  }
  return nullptr;
}

bool descending(request_order order) {
  return order == request_order::id_desc || order == request_order::created_desc ||
         order == request_order::updated_desc || order == request_order::due_desc ||
         order == request_order::priority_desc;
}

/// A LIKE pattern matching `text` anywhere, with '\' escaping LIKE's own wildcards.
std::string contains_pattern(std::string_view text) {
  std::string pattern = "%";
  for (const char c : text) {
    if (c == '%' || c == '_' || c == '\\') {
      pattern += '\\';
    }
    pattern += c;
  }
  pattern += '%';
  return pattern;
}

/// The WHERE clause of a request_filter, from fixed fragments; values are bound later.
std::string where_of(const request_filter& filter) {
  std::string where = "WHERE 1 = 1";
  if (!filter.statuses.empty()) {
    where += " AND r.status IN (" + detail::placeholders("status", filter.statuses.size()) + ")";
  }
  if (filter.category) {
    where += " AND r.category = :category";
  }
  if (filter.due_before) {
    where += " AND r.due_at IS NOT NULL AND r.due_at < :due_before";
  }
  if (filter.before_id) {
    where += " AND r.id < :before_id";
  }
  if (filter.channel) {
    where += " AND r.channel = :channel";
  }
  if (filter.text) {
    where +=
        " AND (r.description LIKE :text ESCAPE '\\' OR r.location_text LIKE :text ESCAPE '\\')";
  }
  if (filter.created_after) {
    where += " AND r.created_at >= :created_after";
  }
  if (filter.created_before) {
    where += " AND r.created_at < :created_before";
  }
  if (filter.updated_after) {
    where += " AND r.updated_at >= :updated_after";
  }
  if (filter.updated_before) {
    where += " AND r.updated_at < :updated_before";
  }
  if (filter.team) {
    where += " AND r.team = :team";
  }
  if (filter.assignee_id) {
    where += *filter.assignee_id == 0 ? " AND r.assignee_id IS NULL"
                                      : " AND r.assignee_id = :assignee_id";
  }
  if (!filter.priorities.empty()) {
    where +=
        " AND r.priority IN (" + detail::placeholders("priority", filter.priorities.size()) + ")";
  }
  if (filter.after) {
    const char* key = order_expression(filter.order);
    const char* beyond = descending(filter.order) ? " < " : " > ";
    if (key == nullptr) {
      where += std::string(" AND r.id") + beyond + ":after_id";
    } else {
      where += std::string(" AND (") + key + beyond + ":after_key OR (" + key +
               " = :after_key AND r.id" + beyond + ":after_id))";
    }
  }
  return where;
}

std::string order_by(request_order order) {
  const char* direction = descending(order) ? " DESC" : " ASC";
  const char* key = order_expression(order);
  std::string clause = " ORDER BY ";
  if (key != nullptr) {
    clause += std::string(key) + direction + ", ";
  }
  return clause + "r.id" + direction;
}

void bind_optional(SQLite::Statement& statement, const char* name,
                   const std::optional<std::string>& value) {
  if (value) {
    bind_text(statement, name, *value);
  }
}

void bind_filter(SQLite::Statement& statement, const request_filter& filter) {
  detail::bind_list(statement, "status", filter.statuses);
  bind_optional(statement, ":category", filter.category);
  bind_optional(statement, ":due_before", filter.due_before);
  if (filter.before_id) {
    statement.bind(":before_id", *filter.before_id);
  }
  bind_optional(statement, ":channel", filter.channel);
  if (filter.text) {
    bind_text(statement, ":text", contains_pattern(*filter.text));
  }
  bind_optional(statement, ":created_after", filter.created_after);
  bind_optional(statement, ":created_before", filter.created_before);
  bind_optional(statement, ":updated_after", filter.updated_after);
  bind_optional(statement, ":updated_before", filter.updated_before);
  bind_optional(statement, ":team", filter.team);
  if (filter.assignee_id && *filter.assignee_id != 0) {
    statement.bind(":assignee_id", *filter.assignee_id);
  }
  detail::bind_list(statement, "priority", filter.priorities);
  if (filter.after) {
    if (order_expression(filter.order) != nullptr) {
      bind_text(statement, ":after_key", filter.after->key);
    }
    statement.bind(":after_id", filter.after->id);
  }
}

}  // namespace

request_record insert_request(SQLite::Database& db, request_record request,
                              std::string_view tracking_prefix, int digits) {
  detail::savepoint all_or_nothing(db);
  // SQLite assigns the row id; the tracking id derived from it is set right after, in the
  // same savepoint, so no reader ever sees the request without one.
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO service_requests (category, status, duplicate_of, location_text, "
      "location_key, lat, lon, description, attributes_json, media_urls_json, channel, "
      "language, created_at, updated_at, due_at, team, assignee_id, priority) VALUES (:category, "
      ":status, :duplicate_of, :location_text, :location_key, :lat, :lon, :description, "
      ":attributes_json, :media_urls_json, :channel, :language, :created_at, :updated_at, "
      ":due_at, :team, :assignee_id, :priority)");
  SQLite::Statement& insert = insert_lease.get();
  bind_text(insert, ":category", request.category);
  bind_text(insert, ":status", request.status);
  detail::bind_optional_text(insert, ":duplicate_of", request.duplicate_of);
  bind_text(insert, ":location_text", request.location_text);
  bind_text(insert, ":location_key", request.location_key);
  detail::bind_optional_double(insert, ":lat", request.lat);
  detail::bind_optional_double(insert, ":lon", request.lon);
  bind_text(insert, ":description", request.description);
  bind_text(insert, ":attributes_json", request.attributes_json);
  bind_text(insert, ":media_urls_json", request.media_urls_json);
  bind_text(insert, ":channel", request.channel);
  bind_text(insert, ":language", request.language);
  bind_text(insert, ":created_at", request.created_at);
  bind_text(insert, ":updated_at", request.updated_at);
  bind_text(insert, ":team", request.team);
  if (request.assignee_id) {
    insert.bind(":assignee_id", *request.assignee_id);
  } else {
    insert.bind(":assignee_id");
  }
  bind_text(insert, ":priority", request.priority);
  detail::bind_optional_text(
      insert, ":due_at",
      request.due_at.empty() ? std::nullopt : std::optional<std::string_view>(request.due_at));
  insert.exec();
  request.id = db.getLastInsertRowid();
  request.tracking_id = tracking_id_of(tracking_prefix, digits, request.id);

  detail::statement_lease set_tracking_id_lease(
      db, "UPDATE service_requests SET tracking_id = :tracking_id WHERE id = :id");
  SQLite::Statement& set_tracking_id = set_tracking_id_lease.get();
  bind_text(set_tracking_id, ":tracking_id", request.tracking_id);
  set_tracking_id.bind(":id", request.id);
  set_tracking_id.exec();
  all_or_nothing.release();
  return request;
}

std::optional<request_record> find_request(SQLite::Database& db, std::string_view tracking_id) {
  detail::statement_lease select_lease(db, select_requests("WHERE r.tracking_id = :tracking_id"));
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":tracking_id", tracking_id);
  return first_request(select);
}

std::optional<request_record> find_request_by_id(SQLite::Database& db, std::int64_t id) {
  detail::statement_lease select_lease(db, select_requests("WHERE r.id = :id"));
  SQLite::Statement& select = select_lease.get();
  select.bind(":id", id);
  return first_request(select);
}

std::vector<request_record> requests_followed_by(SQLite::Database& db, std::int64_t resident_id,
                                                 std::size_t limit) {
  detail::statement_lease select_lease(
      db, select_requests("JOIN request_followers f ON f.request_id = r.id "
                          "WHERE f.resident_id = :resident_id "
                          "ORDER BY r.created_at DESC, r.id DESC LIMIT :limit"));
  SQLite::Statement& select = select_lease.get();
  select.bind(":resident_id", resident_id);
  detail::bind_limit(select, ":limit", limit);
  return all_requests(select);
}

std::optional<request_record> find_open_duplicate(SQLite::Database& db, std::string_view category,
                                                  std::string_view location_key,
                                                  const std::vector<std::string>& open_statuses,
                                                  std::string_view since) {
  if (open_statuses.empty()) {
    return std::nullopt;  // and "IN ()" is not valid SQL everywhere
  }
  detail::statement_lease select_lease(
      db, select_requests(("WHERE r.category = :category AND r.location_key = :location_key "
                           "AND r.status IN (" +
                           detail::placeholders("status", open_statuses.size()) +
                           ") AND r.created_at >= :since "
                           "ORDER BY r.created_at DESC, r.id DESC LIMIT 1")
                              .c_str()));
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":category", category);
  bind_text(select, ":location_key", location_key);
  detail::bind_list(select, "status", open_statuses);
  bind_text(select, ":since", since);
  return first_request(select);
}

double distance_m(double lat1, double lon1, double lat2, double lon2) {
  const double to_radians = std::numbers::pi / 180.0;
  const double phi1 = lat1 * to_radians;
  const double phi2 = lat2 * to_radians;
  const double half_dphi = (lat2 - lat1) * to_radians / 2;
  const double half_dlambda = (lon2 - lon1) * to_radians / 2;
  const double h = std::sin(half_dphi) * std::sin(half_dphi) + std::cos(phi1) * std::cos(phi2) *
                                                                   std::sin(half_dlambda) *
                                                                   std::sin(half_dlambda);
  return 2 * earth_radius_m * std::asin(std::min(1.0, std::sqrt(h)));
}

std::optional<request_record> find_open_duplicate_near(
    SQLite::Database& db, std::string_view category, double lat, double lon, double radius_m,
    const std::vector<std::string>& open_statuses, std::string_view since) {
  const bool valid_point =
      std::isfinite(lat) && std::isfinite(lon) && std::abs(lat) <= 90 && std::abs(lon) <= 180;
  if (open_statuses.empty() || !(radius_m > 0) || !std::isfinite(radius_m) || !valid_point) {
    return std::nullopt;
  }
  // The smallest lat/lon box holding every point within the radius (Matuschek's bounding
  // coordinates), so the index narrows the candidates and haversine picks among them.
  const double to_degrees = 180.0 / std::numbers::pi;
  const double angle = radius_m / earth_radius_m;  // radians of arc
  const double slack = 1e-9;                       // degrees; rounding must not drop an edge point
  const double lat_min = lat - angle * to_degrees - slack;
  const double lat_max = lat + angle * to_degrees + slack;
  double lon_min = -180;
  double lon_max = 180;
  if (lat_min > -90 && lat_max < 90) {
    const double dlon =
        std::asin(std::min(1.0, std::sin(angle) / std::cos(lat / to_degrees))) * to_degrees;
    // Near the antimeridian the box would wrap; every longitude is then a candidate.
    if (lon - dlon > -180 && lon + dlon < 180) {
      lon_min = lon - dlon - slack;
      lon_max = lon + dlon + slack;
    }
  }
  detail::statement_lease select_lease(
      db, select_requests(("WHERE r.category = :category "
                           "AND r.lat BETWEEN :lat_min AND :lat_max "
                           "AND r.lon BETWEEN :lon_min AND :lon_max "
                           "AND r.status IN (" +
                           detail::placeholders("status", open_statuses.size()) +
                           ") AND r.created_at >= :since "
                           "ORDER BY r.created_at DESC, r.id DESC")
                              .c_str()));
  SQLite::Statement& select = select_lease.get();
  bind_text(select, ":category", category);
  select.bind(":lat_min", lat_min);
  select.bind(":lat_max", lat_max);
  select.bind(":lon_min", lon_min);
  select.bind(":lon_max", lon_max);
  detail::bind_list(select, "status", open_statuses);
  bind_text(select, ":since", since);

  std::optional<request_record> nearest;
  double nearest_m = radius_m;
  while (select.executeStep()) {
    request_record candidate = read_request(select);
    // Newest first, so only a strictly nearer candidate replaces the one found.
    const double d = distance_m(lat, lon, *candidate.lat, *candidate.lon);
    if (d < nearest_m || (!nearest && d <= radius_m)) {
      nearest_m = d;
      nearest = std::move(candidate);
    }
  }
  return nearest;
}

void update_request_status(SQLite::Database& db, std::int64_t request_id, std::string_view status,
                           std::optional<std::string_view> duplicate_of, std::string_view now) {
  detail::statement_lease update_lease(
      db,
      // closed_at is the LAST close (a reopen clears it; resolved -> closed keeps the time it
      // was resolved) and first_ack_at the first change away from "new"; see
      // migrations/0007_public_progress.sql.
      "UPDATE service_requests SET status = :status, duplicate_of = :duplicate_of, "
      "updated_at = :now, "
      "closed_at = CASE WHEN :status IN ('resolved', 'closed', 'duplicate', 'rejected') "
      "  THEN COALESCE(closed_at, :now) END, "
      "close_ms = CASE WHEN :status IN ('resolved', 'closed', 'duplicate', 'rejected') "
      "  THEN COALESCE(close_ms, "
      "    CAST(ROUND((julianday(:now) - julianday(created_at)) * 86400000) AS INTEGER)) END, "
      "first_ack_at = COALESCE(first_ack_at, CASE WHEN :status <> 'new' THEN :now END), "
      "ack_ms = COALESCE(ack_ms, CASE WHEN :status <> 'new' THEN "
      "  CAST(ROUND((julianday(:now) - julianday(created_at)) * 86400000) AS INTEGER) END) "
      "WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":status", status);
  detail::bind_optional_text(update, ":duplicate_of", duplicate_of);
  bind_text(update, ":now", now);
  update.bind(":id", request_id);
  detail::require_one_change(update.exec(), "service request", request_id);
}

void save_request_fields(SQLite::Database& db, const request_record& request) {
  detail::statement_lease update_lease(
      db,
      "UPDATE service_requests SET category = :category, location_text = :location_text, "
      "location_key = :location_key, lat = :lat, lon = :lon, due_at = :due_at, team = :team, "
      "assignee_id = :assignee_id, priority = :priority, updated_at = :updated_at "
      "WHERE id = :id");
  SQLite::Statement& update = update_lease.get();
  bind_text(update, ":category", request.category);
  bind_text(update, ":location_text", request.location_text);
  bind_text(update, ":location_key", request.location_key);
  detail::bind_optional_double(update, ":lat", request.lat);
  detail::bind_optional_double(update, ":lon", request.lon);
  if (request.due_at.empty()) {
    update.bind(":due_at");
  } else {
    bind_text(update, ":due_at", request.due_at);
  }
  bind_text(update, ":team", request.team);
  if (request.assignee_id) {
    update.bind(":assignee_id", *request.assignee_id);
  } else {
    update.bind(":assignee_id");
  }
  bind_text(update, ":priority", request.priority);
  bind_text(update, ":updated_at", request.updated_at);
  update.bind(":id", request.id);
  detail::require_one_change(update.exec(), "service request", request.id);
}

std::vector<request_record> list_requests(SQLite::Database& db, const request_filter& filter,
                                          std::size_t limit) {
  detail::statement_lease select_lease(
      db, select_requests((where_of(filter) + order_by(filter.order) + " LIMIT :limit").c_str()));
  SQLite::Statement& select = select_lease.get();
  bind_filter(select, filter);
  detail::bind_limit(select, ":limit", limit);
  return all_requests(select);
}

std::int64_t count_requests(SQLite::Database& db, const request_filter& filter) {
  detail::statement_lease count_lease(
      db, "SELECT COUNT(*) FROM service_requests r " + where_of(filter));
  SQLite::Statement& count = count_lease.get();
  bind_filter(count, filter);
  count.executeStep();
  return count.getColumn(0).getInt64();
}

std::string order_key(const request_record& request, request_order order) {
  switch (order) {
    case request_order::created_asc:
    case request_order::created_desc:
      return request.created_at;
    case request_order::updated_asc:
    case request_order::updated_desc:
      return request.updated_at;
    case request_order::due_asc:
      return request.due_at.empty() ? "~" : request.due_at;
    case request_order::due_desc:
      return request.due_at;
    case request_order::priority_desc:
      return std::string(request.priority == "urgent"   ? "3"
                         : request.priority == "high"   ? "2"
                         : request.priority == "normal" ? "1"
                                                        : "0") +
             request.created_at;
    case request_order::id_desc:
      break;
  }
  return "";
}

void add_follower(SQLite::Database& db, std::int64_t request_id, std::int64_t resident_id,
                  std::string_view role, std::string_view now) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO request_followers (request_id, resident_id, role, "
      "created_at) VALUES (:request_id, :resident_id, :role, :now) "
      "ON CONFLICT (request_id, resident_id) DO NOTHING");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":request_id", request_id);
  insert.bind(":resident_id", resident_id);
  bind_text(insert, ":role", role);
  bind_text(insert, ":now", now);
  insert.exec();
}

bool is_follower(SQLite::Database& db, std::int64_t request_id, std::int64_t resident_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT 1 FROM request_followers "
      "WHERE request_id = :request_id AND resident_id = :resident_id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":request_id", request_id);
  select.bind(":resident_id", resident_id);
  return select.executeStep();
}

std::vector<follower_record> followers_of(SQLite::Database& db, std::int64_t request_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT f.resident_id, f.role, p.channel, p.address, p.language, p.opted_out_at "
      "FROM request_followers f JOIN residents p ON p.id = f.resident_id "
      "WHERE f.request_id = :request_id "
      "ORDER BY CASE f.role WHEN 'reporter' THEN 0 ELSE 1 END, f.created_at, f.resident_id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":request_id", request_id);
  std::vector<follower_record> followers;
  while (select.executeStep()) {
    followers.push_back(
        follower_record{select.getColumn(0).getInt64(), select.getColumn(1).getString(),
                        select.getColumn(2).getString(), select.getColumn(3).getString(),
                        select.getColumn(4).getString(), !select.getColumn(5).isNull()});
  }
  return followers;
}

std::int64_t insert_history(SQLite::Database& db, const history_record& entry) {
  detail::statement_lease insert_lease(
      db,
      "INSERT INTO request_history (request_id, at, actor_kind, actor_id, field, old_value, "
      "new_value, public_note, internal_note) VALUES (:request_id, :at, :actor_kind, "
      ":actor_id, :field, :old_value, :new_value, :public_note, :internal_note)");
  SQLite::Statement& insert = insert_lease.get();
  insert.bind(":request_id", entry.request_id);
  bind_text(insert, ":at", entry.at);
  bind_text(insert, ":actor_kind", entry.actor_kind);
  bind_text(insert, ":actor_id", entry.actor_id);
  bind_text(insert, ":field", entry.field);
  bind_text(insert, ":old_value", entry.old_value);
  bind_text(insert, ":new_value", entry.new_value);
  bind_text(insert, ":public_note", entry.public_note);
  bind_text(insert, ":internal_note", entry.internal_note);
  insert.exec();
  return db.getLastInsertRowid();
}

std::vector<history_record> request_history(SQLite::Database& db, std::int64_t request_id) {
  detail::statement_lease select_lease(
      db,
      "SELECT id, request_id, at, actor_kind, actor_id, field, old_value, "
      "new_value, public_note, internal_note FROM request_history "
      "WHERE request_id = :request_id ORDER BY at, id");
  SQLite::Statement& select = select_lease.get();
  select.bind(":request_id", request_id);
  std::vector<history_record> history;
  while (select.executeStep()) {
    history.push_back(
        history_record{select.getColumn(0).getInt64(), select.getColumn(1).getInt64(),
                       select.getColumn(2).getString(), select.getColumn(3).getString(),
                       select.getColumn(4).getString(), select.getColumn(5).getString(),
                       select.getColumn(6).getString(), select.getColumn(7).getString(),
                       select.getColumn(8).getString(), select.getColumn(9).getString()});
  }
  return history;
}

}  // namespace civicline::storage
