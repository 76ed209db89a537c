#include "storage/open311.hpp"

#include <SQLiteCpp/Statement.h>

namespace civicline::storage {

std::vector<public_update_record> public_updates(SQLite::Database& db, std::string_view from,
                                                 std::string_view to, std::size_t limit) {
  // The status "right after" an entry is the newest created/status entry up to it, so a note
  // carries the status the request had when it was written.
  SQLite::Statement query(db, R"sql(
    SELECT h.id, r.tracking_id, h.at, h.field,
           (SELECT s.new_value FROM request_history s
             WHERE s.request_id = h.request_id AND s.field IN ('created', 'status') AND s.id <= h.id
             ORDER BY s.id DESC LIMIT 1),
           h.public_note
      FROM request_history h JOIN service_requests r ON r.id = h.request_id
     WHERE h.at >= ? AND h.at < ? AND (h.field = 'status' OR h.public_note <> '')
     ORDER BY h.id LIMIT ?)sql");
  query.bind(1, std::string(from));
  query.bind(2, std::string(to));
  query.bind(3, static_cast<std::int64_t>(limit));
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

}  // namespace civicline::storage
