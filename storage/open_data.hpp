#pragma once
// The rows of the open-data export, read a page at a time in id order so an export of any
// size runs in constant memory. Only what may be published is selected: no resident, no
// resident's note, and the description only for a city that publishes it (core/open_data.hpp
// generalises and masks what is left).

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct export_record {
  std::int64_t id = 0;
  std::string tracking_id;
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> closed_at;
  std::string status;
  /// The public note of the latest status change made by staff, a partner or the system
  /// ("" when none); residents' notes are never read.
  std::string status_note;
  std::string category;
  std::string channel;
  std::string location_text;  ///< as reported: core generalises it to the block
  std::optional<double> lat;
  std::optional<double> lon;
  std::string description;  ///< "" unless asked for (core masks it before publishing)
};

/// Requests created at or after `since` ("" = all) with an id above `after_id`, in id order,
/// at most `limit`; with their descriptions when `with_descriptions`.
std::vector<export_record> export_page(SQLite::Database& db, std::string_view since,
                                       std::int64_t after_id, std::size_t limit,
                                       bool with_descriptions = false);

}  // namespace civicline::storage
