#pragma once
// What the open-data export publishes about a request, and how: the columns (in the style of
// city 311 datasets and the GeoReport v2 bulk proposal), the house number generalised to its
// block, coordinates rounded to 3 decimals (about 110 m), and any phone number or e-mail
// address that slipped into published text masked. Pure.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "storage/open_data.hpp"

namespace civicline::core {

/// The export's columns, in order.
inline constexpr std::array<std::string_view, 13> export_columns{"service_request_id",
                                                                 "requested_datetime",
                                                                 "updated_datetime",
                                                                 "closed_datetime",
                                                                 "status",
                                                                 "status_notes",
                                                                 "service_code",
                                                                 "service_name",
                                                                 "source",
                                                                 "address",
                                                                 "lat",
                                                                 "long",
                                                                 "agency_responsible"};

/// The extra last column when the city publishes descriptions (public.export_descriptions).
inline constexpr std::string_view description_column = "description";

/// The export's columns for this city: export_columns, then the description when published.
std::vector<std::string_view> export_header(const config::settings& settings);

/// "1234 Main St" -> "1200 block of Main St", "55 N Center St" -> "0 block of N Center St".
/// Text without a leading house number (an intersection, a landmark) is kept, masked.
std::string block_address(std::string_view location);

/// Replaces e-mail addresses with "[email]" and digit runs that look like a phone number (seven
/// or more digits, with spaces, dots, dashes, parentheses or a leading +) with "[phone]".
std::string mask_contact_details(std::string_view text);

/// mask_contact_details, then the one to three capitalised words after a name cue ("my name
/// is", "this is", "I'm", "call", "me llamo", "soy", ...) replaced with "[name]". For free text
/// (descriptions) a city chose to publish: it catches the usual ways residents sign a report,
/// not every name.
std::string mask_personal_details(std::string_view text);

/// The coordinate rounded to 3 decimals, as text ("" when unknown).
std::string rounded_coordinate(const std::optional<double>& degrees);

/// The export's fields of a request, in export_header order.
std::vector<std::string> export_fields(const storage::export_record& row,
                                       const config::settings& settings);

/// One request as a JSON object with export_header's names as keys (numbers for lat/long, null for
/// what is unknown).
std::string export_json(const storage::export_record& row, const config::settings& settings);

}  // namespace civicline::core
