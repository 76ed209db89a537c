#include "server/open_data_stream.hpp"

#include "core/clock_text.hpp"
#include "core/csv.hpp"
#include "core/open_data.hpp"
#include "storage/open_data.hpp"

namespace civicline::server {

open_data_stream::open_data_stream(storage::database& db, const config::settings& settings,
                                   export_format format, std::string since)
    : db_(db), settings_(settings), format_(format), since_(std::move(since)) {}

std::optional<std::string> open_data_stream::next() {
  std::string out;
  switch (stage_) {
    case stage::finished:
      return std::nullopt;
    case stage::header:
      stage_ = stage::rows;
      if (format_ == export_format::csv) {
        const auto header = core::export_header(settings_);
        const std::vector<std::string> names(header.begin(), header.end());
        core::append_csv_row(out, names);
      } else {
        out = "[";
      }
      return out;
    case stage::rows:
      break;
  }
  const auto page = db_.read([&](SQLite::Database& db) {
    return storage::export_page(db, since_, after_id_, export_page_rows,
                                settings_.public_data.export_descriptions);
  });
  for (const auto& row : page) {
    if (format_ == export_format::csv) {
      const auto fields = core::export_fields(row, settings_);
      core::append_csv_row(out, fields);
    } else {
      out += rows_ == 0 ? "\n" : ",\n";
      out += core::export_json(row, settings_);
    }
    ++rows_;
  }
  if (!page.empty()) {
    after_id_ = page.back().id;
  }
  if (page.size() < export_page_rows) {
    stage_ = stage::finished;
    if (format_ == export_format::json) {
      out += rows_ == 0 ? "]\n" : "\n]\n";
    }
  }
  return out;
}

std::optional<std::string> since_from_date(std::string_view date) {
  if (date.size() != 10) {
    return std::nullopt;
  }
  std::string text = std::string(date) + "T00:00:00.000Z";
  const auto when = core::from_iso8601(text);
  if (!when || core::to_iso8601(*when) != text) {
    return std::nullopt;  // "2026-02-31" would roll over otherwise
  }
  return text;
}

}  // namespace civicline::server
