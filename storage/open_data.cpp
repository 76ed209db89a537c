#include "storage/open_data.hpp"

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

std::vector<export_record> export_page(SQLite::Database& db, std::string_view since,
                                       std::int64_t after_id, std::size_t limit,
                                       bool with_descriptions) {
  detail::statement_lease lease(
      db,
      "SELECT r.id, r.tracking_id, r.created_at, r.updated_at, r.closed_at, r.status, "
      "COALESCE((SELECT h.public_note FROM request_history h "
      "          WHERE h.request_id = r.id AND h.field = 'status' "
      "            AND h.actor_kind <> 'resident' AND h.public_note <> '' "
      "          ORDER BY h.at DESC, h.id DESC LIMIT 1), ''), "
      "r.category, r.channel, r.location_text, r.lat, r.lon, "
      "CASE WHEN :with_descriptions THEN r.description ELSE '' END "
      "FROM service_requests r WHERE r.id > :after AND r.created_at >= :since "
      "ORDER BY r.id LIMIT :limit");
  auto& select = lease.get();
  select.bind(":after", after_id);
  select.bind(":with_descriptions", with_descriptions ? 1 : 0);
  detail::bind_text(select, ":since", since);
  detail::bind_limit(select, ":limit", limit);
  std::vector<export_record> page;
  page.reserve(limit);
  while (select.executeStep()) {
    export_record row;
    row.id = select.getColumn(0).getInt64();
    row.tracking_id = detail::text_or_empty(select.getColumn(1));
    row.created_at = select.getColumn(2).getString();
    row.updated_at = select.getColumn(3).getString();
    row.closed_at = detail::optional_text(select.getColumn(4));
    row.status = select.getColumn(5).getString();
    row.status_note = select.getColumn(6).getString();
    row.category = select.getColumn(7).getString();
    row.channel = select.getColumn(8).getString();
    row.location_text = select.getColumn(9).getString();
    row.lat = detail::optional_double(select.getColumn(10));
    row.lon = detail::optional_double(select.getColumn(11));
    row.description = select.getColumn(12).getString();
    page.push_back(std::move(row));
  }
  return page;
}

}  // namespace civicline::storage
