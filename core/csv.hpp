#pragma once
// A small RFC 4180 CSV writer for exports that people open in spreadsheets: fields are quoted
// when they hold a comma, a quote or a line break (quotes doubled), rows end with CRLF, and a
// text field that a spreadsheet would run as a formula (= + - @ tab CR first) gets a leading
// apostrophe. Numbers such as "-112.074" are left alone: they cannot be formulas.

#include <span>
#include <string>
#include <string_view>

namespace civicline::core {

/// Appends one field, quoted and neutralised as needed (no separator).
void append_csv_field(std::string& out, std::string_view field);

/// Appends a whole row: fields separated by commas, ended by CRLF.
void append_csv_row(std::string& out, std::span<const std::string> fields);

/// True when a spreadsheet would read `field` as a formula (and it is not a plain number).
bool looks_like_formula(std::string_view field);

}  // namespace civicline::core
