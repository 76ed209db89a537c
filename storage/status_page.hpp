#pragma once
// What the public status page /r/{tracking_id} may show about one request, read in one go:
// no resident, no description, no resident's note (core/status_page.hpp masks what is left).

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct public_status_change {
  std::string at;
  std::string status;       ///< the new status
  std::string public_note;  ///< "" when none or when a resident made the change
};

struct public_request_record {
  std::int64_t id = 0;
  std::string tracking_id;
  std::string status;
  std::optional<std::string> duplicate_of;
  std::string category;
  std::string location_text;  ///< as reported: core generalises it to the block
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> closed_at;
  std::string media_urls_json = "[]";         ///< staff URLs of photos (core picks the public ones)
  std::vector<public_status_change> changes;  ///< status changes, oldest first
};

/// The request with exactly this tracking id and its status changes; nullopt when none.
std::optional<public_request_record> public_request(SQLite::Database& db,
                                                    std::string_view tracking_id);

}  // namespace civicline::storage
