#pragma once
// The open-data export as a sequence of pieces: a header, then one page of requests at a time
// (read in id order from storage), then the end. /data/requests.{csv,json} send each piece as
// an HTTP chunk and `civicline export` writes it to stdout, so an export of any size holds
// one page in memory.

#include <cstdint>
#include <optional>
#include <string>

#include "config/settings.hpp"
#include "storage/database.hpp"

namespace civicline::server {

enum class export_format : std::uint8_t { csv, json };

class open_data_stream {
 public:
  /// Requests created at or after `since` (ISO 8601 UTC text; "" = all).
  open_data_stream(storage::database& db, const config::settings& settings, export_format format,
                   std::string since);

  /// The next piece of the body, or nullopt once the end was returned.
  std::optional<std::string> next();

  /// Requests exported so far.
  std::int64_t rows() const { return rows_; }

 private:
  storage::database& db_;
  const config::settings& settings_;
  export_format format_;
  std::string since_;
  std::int64_t after_id_ = 0;
  std::int64_t rows_ = 0;
  enum class stage : std::uint8_t { header, rows, finished } stage_ = stage::header;
};

/// Rows read from the database per piece.
inline constexpr std::size_t export_page_rows = 2000;

/// "2026-01-31" -> "2026-01-31T00:00:00.000Z"; nullopt unless a valid YYYY-MM-DD date.
std::optional<std::string> since_from_date(std::string_view date);

}  // namespace civicline::server
