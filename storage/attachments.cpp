#include "storage/attachments.hpp"

#include "storage/sql_support.hpp"
#include "storage/statement_cache.hpp"

namespace civicline::storage {

std::int64_t insert_attachment(SQLite::Database& db, const attachment_record& attachment) {
  detail::statement_lease lease(
      db,
      "INSERT INTO attachments (public_id, resident_id, media_type, byte_size, file_name, "
      "thumbnail_name, created_at) VALUES (:public_id, :resident_id, :media_type, :byte_size, "
      ":file_name, :thumbnail_name, :created_at)");
  auto& insert = lease.get();
  detail::bind_text(insert, ":public_id", attachment.public_id);
  insert.bind(":resident_id", attachment.resident_id);
  detail::bind_text(insert, ":media_type", attachment.media_type);
  insert.bind(":byte_size", attachment.byte_size);
  detail::bind_text(insert, ":file_name", attachment.file_name);
  detail::bind_optional_text(insert, ":thumbnail_name",
                             attachment.thumbnail_name
                                 ? std::optional<std::string_view>(*attachment.thumbnail_name)
                                 : std::nullopt);
  detail::bind_text(insert, ":created_at", attachment.created_at);
  insert.exec();
  return db.getLastInsertRowid();
}

std::optional<attachment_record> find_attachment(SQLite::Database& db, std::string_view public_id) {
  detail::statement_lease lease(
      db,
      "SELECT id, public_id, resident_id, media_type, byte_size, file_name, thumbnail_name, "
      "created_at FROM attachments WHERE public_id = :public_id");
  auto& select = lease.get();
  detail::bind_text(select, ":public_id", public_id);
  if (!select.executeStep()) {
    return std::nullopt;
  }
  attachment_record row;
  row.id = select.getColumn(0).getInt64();
  row.public_id = select.getColumn(1).getString();
  row.resident_id = select.getColumn(2).getInt64();
  row.media_type = select.getColumn(3).getString();
  row.byte_size = select.getColumn(4).getInt64();
  row.file_name = select.getColumn(5).getString();
  row.thumbnail_name = detail::optional_text(select.getColumn(6));
  row.created_at = select.getColumn(7).getString();
  return row;
}

void add_request_media(SQLite::Database& db, std::int64_t request_id,
                       const std::vector<std::string>& urls) {
  detail::statement_lease lease(
      db,
      "UPDATE service_requests SET media_urls_json = json_insert(media_urls_json, '$[#]', :url) "
      "WHERE id = :id AND NOT EXISTS (SELECT 1 FROM json_each(service_requests.media_urls_json) "
      "WHERE value = :url)");
  auto& update = lease.get();
  for (const auto& url : urls) {
    update.reset();
    update.bind(":id", request_id);
    detail::bind_text(update, ":url", url);
    update.exec();
  }
}

}  // namespace civicline::storage
