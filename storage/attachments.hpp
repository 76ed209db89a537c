#pragma once
// The photos web-chat visitors upload (migration 0009): who uploaded each and where its file
// and thumbnail are. The bytes themselves are files, written by server/attachment_store.cpp.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct attachment_record {
  std::int64_t id = 0;
  std::string public_id;  ///< "att_..." as the visitor and staff URLs name it
  std::int64_t resident_id = 0;
  std::string media_type;  ///< "image/jpeg", "image/png", "image/heic"
  std::int64_t byte_size = 0;
  std::string file_name;                      ///< in the attachments directory
  std::optional<std::string> thumbnail_name;  ///< in the attachments directory; none for HEIC
  std::string created_at;
};

/// Stores the row (in the caller's write job); returns its id.
std::int64_t insert_attachment(SQLite::Database& db, const attachment_record& attachment);

/// The attachment with this public id, if any.
std::optional<attachment_record> find_attachment(SQLite::Database& db, std::string_view public_id);

/// Appends media URLs to a request's media_urls_json, skipping ones it already has (a report
/// that turned out to be a duplicate brings its photos to the original).
void add_request_media(SQLite::Database& db, std::int64_t request_id,
                       const std::vector<std::string>& urls);

}  // namespace civicline::storage
