#pragma once
// The bodies of the staff API's request changes, read and checked: PATCH (status, notes,
// category, location, team, assignee, priority), merge, and bulk changes. Pure: text in,
// values or a message out.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/service_request.hpp"
#include "server/routes/request_query.hpp"

namespace civicline::server {

/// The longest note accepted.
inline constexpr std::size_t max_note_chars = 2000;
/// The most requests one bulk change may name.
inline constexpr std::size_t max_bulk_requests = 500;

/// A PATCH /api/v1/requests/{id} body (also the change of a bulk body).
struct request_patch {
  std::optional<std::string> status;  ///< a core::request_status name
  std::string public_note;
  std::string internal_note;
  std::optional<std::string> duplicate_of;
  std::optional<std::string> category;
  std::optional<core::location> where;  ///< from "location": {"address", "lat", "long"}
  std::optional<std::string> team;      ///< "" or null = no team
  std::optional<std::string> assignee;  ///< "" or null = unassign
  std::optional<std::string> priority;

  /// True when a field other than status and the notes is set.
  bool edits_fields() const { return category || where || team || assignee || priority; }
};

/// Reads a PATCH body: a JSON object with at least one of status, public_note, internal_note,
/// category, location, team, assignee, priority (and duplicate_of with status "duplicate").
/// 400 for JSON that does not parse or is not an object; 422 for unknown fields, wrong types,
/// an unknown status, coordinates out of range or a note longer than max_note_chars. Names
/// of categories, teams and users are checked against the configuration and the database
/// when the change is applied.
std::variant<request_patch, input_problem> parse_request_patch(std::string_view body);

struct merge_body {
  std::string into;  ///< the original's tracking id
  std::string internal_note;
};
/// {"into": "311-000001", "internal_note": "..."}.
std::variant<merge_body, input_problem> parse_merge_body(std::string_view body);

struct bulk_body {
  std::vector<std::string> ids;  ///< tracking ids, no repeats, 1 to max_bulk_requests
  request_patch change;          ///< status "duplicate" is refused: merge one by one
};
/// {"ids": ["311-000001", ...], "status": ..., "assignee": ..., ...}: the PATCH fields
/// applied to every request named.
std::variant<bulk_body, input_problem> parse_bulk_body(std::string_view body);

}  // namespace civicline::server
