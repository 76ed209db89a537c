#include "storage/status_page.hpp"

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

std::optional<public_request_record> public_request(SQLite::Database& db,
                                                    std::string_view tracking_id) {
  std::optional<public_request_record> found;
  {
    detail::statement_lease lease(
        db,
        "SELECT id, tracking_id, status, duplicate_of, category, location_text, created_at, "
        "updated_at, closed_at, media_urls_json FROM service_requests WHERE tracking_id = "
        ":tracking_id");
    auto& select = lease.get();
    detail::bind_text(select, ":tracking_id", tracking_id);
    if (select.executeStep()) {
      public_request_record row;
      row.id = select.getColumn(0).getInt64();
      row.tracking_id = select.getColumn(1).getString();
      row.status = select.getColumn(2).getString();
      row.duplicate_of = detail::optional_text(select.getColumn(3));
      row.category = select.getColumn(4).getString();
      row.location_text = select.getColumn(5).getString();
      row.created_at = select.getColumn(6).getString();
      row.updated_at = select.getColumn(7).getString();
      row.closed_at = detail::optional_text(select.getColumn(8));
      row.media_urls_json = select.getColumn(9).getString();
      found = std::move(row);
    }
  }
  if (!found) {
    return found;
  }
  // A resident's note on a change they made (a reopen by text) is their own words: never read.
  detail::statement_lease lease(
      db,
      "SELECT at, new_value, CASE WHEN actor_kind = 'resident' THEN '' ELSE public_note END "
      "FROM request_history WHERE request_id = :id AND field = 'status' ORDER BY at, id");
  auto& select = lease.get();
  select.bind(":id", found->id);
  while (select.executeStep()) {
    found->changes.push_back({select.getColumn(0).getString(), select.getColumn(1).getString(),
                              select.getColumn(2).getString()});
  }
  return found;
}

}  // namespace civicline::storage
