#include "storage/open311.hpp"

#include <SQLiteCpp/Statement.h>

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

namespace {

// The status "right after" an entry is the newest created/status entry up to it, so a note
// carries the status the request had when it was written. Ordered by time (then id) so the
// request_history_by_time index both selects the period and gives the order.
constexpr const char* public_updates_sql = R"sql(
    SELECT h.id, r.tracking_id, h.at, h.field,
           (SELECT s.new_value FROM request_history s
             WHERE s.request_id = h.request_id AND s.field IN ('created', 'status') AND s.id <= h.id
             ORDER BY s.id DESC LIMIT 1),
           h.public_note
      FROM request_history h JOIN service_requests r ON r.id = h.request_id
     WHERE h.at >= :from AND h.at < :to AND (h.field = 'status' OR h.public_note <> '')
     ORDER BY h.at, h.id LIMIT :limit)sql";

}  // namespace

std::vector<public_update_record> public_updates(SQLite::Database& db, std::string_view from,
                                                 std::string_view to, std::size_t limit) {
  detail::statement_lease lease(db, public_updates_sql);
  auto& query = lease.get();
  detail::bind_text(query, ":from", from);
  detail::bind_text(query, ":to", to);
  query.bind(":limit", static_cast<std::int64_t>(limit));
  std::vector<public_update_record> out;
  while (query.executeStep()) {
    public_update_record row;
    row.id = query.getColumn(0).getInt64();
    row.tracking_id = query.getColumn(1).getString();
    row.at = query.getColumn(2).getString();
    row.field = query.getColumn(3).getString();
    row.status = query.getColumn(4).getString();
    row.public_note = query.getColumn(5).getString();
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<std::string> public_updates_plan(SQLite::Database& db) {
  SQLite::Statement plan(db, std::string("EXPLAIN QUERY PLAN ") + public_updates_sql);
  std::vector<std::string> out;
  while (plan.executeStep()) {
    out.push_back(plan.getColumn(3).getString());
  }
  return out;
}

void save_reporter_contact(SQLite::Database& db, const reporter_contact& contact) {
  // A field the client left out keeps what an earlier report of the same resident gave.
  detail::statement_lease lease(db, R"sql(
    INSERT INTO reporter_contacts (request_id, resident_id, email, first_name, last_name, phone,
                                   device_id, account_id, created_at)
    VALUES (:request, :resident, :email, :first, :last, :phone, :device, :account, :at)
    ON CONFLICT (request_id, resident_id) DO UPDATE SET
      email = CASE WHEN excluded.email <> '' THEN excluded.email ELSE email END,
      first_name = CASE WHEN excluded.first_name <> '' THEN excluded.first_name ELSE first_name END,
      last_name = CASE WHEN excluded.last_name <> '' THEN excluded.last_name ELSE last_name END,
      phone = CASE WHEN excluded.phone <> '' THEN excluded.phone ELSE phone END,
      device_id = CASE WHEN excluded.device_id <> '' THEN excluded.device_id ELSE device_id END,
      account_id = CASE WHEN excluded.account_id <> '' THEN excluded.account_id ELSE account_id END
    )sql");
  auto& insert = lease.get();
  insert.bind(":request", contact.request_id);
  insert.bind(":resident", contact.resident_id);
  detail::bind_text(insert, ":email", contact.email);
  detail::bind_text(insert, ":first", contact.first_name);
  detail::bind_text(insert, ":last", contact.last_name);
  detail::bind_text(insert, ":phone", contact.phone);
  detail::bind_text(insert, ":device", contact.device_id);
  detail::bind_text(insert, ":account", contact.account_id);
  detail::bind_text(insert, ":at", contact.created_at);
  insert.exec();
}

std::vector<reporter_contact> reporter_contacts(SQLite::Database& db, std::int64_t request_id) {
  detail::statement_lease lease(db, R"sql(
    SELECT c.request_id, c.resident_id, c.email, c.first_name, c.last_name, c.phone, c.device_id,
           c.account_id, c.created_at, COALESCE(f.role, 'follower')
      FROM reporter_contacts c
      LEFT JOIN request_followers f
        ON f.request_id = c.request_id AND f.resident_id = c.resident_id
     WHERE c.request_id = :request
     ORDER BY CASE WHEN f.role = 'reporter' THEN 0 ELSE 1 END, c.created_at, c.resident_id)sql");
  auto& query = lease.get();
  query.bind(":request", request_id);
  std::vector<reporter_contact> out;
  while (query.executeStep()) {
    reporter_contact row;
    row.request_id = query.getColumn(0).getInt64();
    row.resident_id = query.getColumn(1).getInt64();
    row.email = query.getColumn(2).getString();
    row.first_name = query.getColumn(3).getString();
    row.last_name = query.getColumn(4).getString();
    row.phone = query.getColumn(5).getString();
    row.device_id = query.getColumn(6).getString();
    row.account_id = query.getColumn(7).getString();
    row.created_at = query.getColumn(8).getString();
    row.role = query.getColumn(9).getString();
    out.push_back(std::move(row));
  }
  return out;
}

void save_address_id(SQLite::Database& db, std::int64_t request_id, std::string_view address_id) {
  detail::statement_lease lease(db,
                                "INSERT INTO request_address_ids (request_id, address_id) "
                                "VALUES (:request, :address) ON CONFLICT DO NOTHING");
  auto& insert = lease.get();
  insert.bind(":request", request_id);
  detail::bind_text(insert, ":address", address_id);
  insert.exec();
}

std::string address_id_of(SQLite::Database& db, std::int64_t request_id) {
  detail::statement_lease lease(
      db, "SELECT address_id FROM request_address_ids WHERE request_id = :request");
  auto& query = lease.get();
  query.bind(":request", request_id);
  return query.executeStep() ? query.getColumn(0).getString() : std::string();
}

}  // namespace civicline::storage
