#include "server/routes/request_changes.hpp"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>

namespace civicline::server {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 9> patch_fields{
    "status",   "public_note", "internal_note", "duplicate_of", "category",
    "location", "team",        "assignee",      "priority"};

input_problem unprocessable(std::string message) {
  return input_problem{422, std::move(message)};
}

std::optional<input_problem> read_location(const json& value, request_patch& patch) {
  if (!value.is_object()) {
    return unprocessable(
        "location is an object: {\"address\": \"55 N Center St\", \"lat\": 33.4, \"long\": "
        "-111.8} (address, coordinates or both).");
  }
  core::location where;
  for (const auto& [name, field] : value.items()) {
    if (name == "address" && field.is_string()) {
      where.text = field.get<std::string>();
    } else if ((name == "lat" || name == "long") && field.is_number()) {
      (name == "lat" ? where.lat : where.lon) = field.get<double>();
    } else {
      return unprocessable("location takes address (a string), lat and long (numbers); \"" +
                           name.substr(0, 40) + "\" is not one of them or has the wrong type.");
    }
  }
  if (where.lat.has_value() != where.lon.has_value()) {
    return unprocessable("Give both lat and long, or neither.");
  }
  if (where.lat && (*where.lat < -90 || *where.lat > 90 || *where.lon < -180 || *where.lon > 180)) {
    return unprocessable("lat is from -90 to 90 and long from -180 to 180.");
  }
  if (where.text.size() > max_note_chars) {
    return unprocessable("An address has at most " + std::to_string(max_note_chars) +
                         " characters.");
  }
  if (where.text.empty() && !where.lat) {
    return unprocessable("A location needs an address or coordinates.");
  }
  patch.where = std::move(where);
  return std::nullopt;
}

/// The patch fields of `object`, skipping the names in `skip`.
std::variant<request_patch, input_problem> read_patch(const json& object,
                                                      std::string_view skip = {}) {
  request_patch patch;
  for (const auto& [name, value] : object.items()) {
    if (name == skip) {
      continue;
    }
    if (std::ranges::find(patch_fields, name) == patch_fields.end()) {
      return unprocessable("Unknown field \"" + name.substr(0, 40) +
                           "\"; use status, public_note, internal_note, duplicate_of, category, "
                           "location, team, assignee or priority.");
    }
    if (name == "location") {
      if (auto problem = read_location(value, patch)) {
        return *problem;
      }
      continue;
    }
    const bool clearable = name == "team" || name == "assignee";
    if (!value.is_string() && !(clearable && value.is_null())) {
      return unprocessable(name +
                           (clearable ? " must be a string or null." : " must be a string."));
    }
    const std::string text = value.is_null() ? "" : value.get<std::string>();
    if (name == "status") {
      if (!core::status_from_string(text)) {
        return unprocessable("Unknown status \"" + text.substr(0, 40) +
                             "\"; use acknowledged, in_progress, resolved, closed, duplicate, "
                             "rejected or reopened.");
      }
      patch.status = text;
    } else if (name == "public_note" || name == "internal_note") {
      if (text.size() > max_note_chars) {
        return unprocessable("A note has at most " + std::to_string(max_note_chars) +
                             " characters.");
      }
      (name == "public_note" ? patch.public_note : patch.internal_note) = text;
    } else if (name == "duplicate_of") {
      patch.duplicate_of = text;
    } else if (name == "category") {
      patch.category = text;
    } else if (name == "team") {
      patch.team = text;
    } else if (name == "assignee") {
      patch.assignee = text;
    } else {
      patch.priority = text;
    }
  }
  if (!patch.status && patch.public_note.empty() && patch.internal_note.empty() &&
      !patch.edits_fields()) {
    return unprocessable(
        "Send at least one change: status, public_note, internal_note, category, location, "
        "team, assignee or priority.");
  }
  return patch;
}

std::variant<json, input_problem> object_of(std::string_view body, std::string_view example) {
  auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return input_problem{400,
                         "The body must be a JSON object, such as " + std::string(example) + "."};
  }
  return parsed;
}

}  // namespace

std::variant<request_patch, input_problem> parse_request_patch(std::string_view body) {
  auto parsed = object_of(body, "{\"status\": \"in_progress\"}");
  if (auto* problem = std::get_if<input_problem>(&parsed)) {
    return *problem;
  }
  return read_patch(std::get<json>(parsed));
}

std::variant<merge_body, input_problem> parse_merge_body(std::string_view body) {
  auto parsed = object_of(body, "{\"into\": \"311-000001\"}");
  if (auto* problem = std::get_if<input_problem>(&parsed)) {
    return *problem;
  }
  merge_body merge;
  for (const auto& [name, value] : std::get<json>(parsed).items()) {
    if ((name != "into" && name != "internal_note") || !value.is_string()) {
      return unprocessable(
          "A merge takes into (the original's id) and an optional internal_note, both strings.");
    }
    (name == "into" ? merge.into : merge.internal_note) = value.get<std::string>();
  }
  if (merge.into.empty()) {
    return unprocessable("Name the original request: {\"into\": \"311-000001\"}.");
  }
  if (merge.internal_note.size() > max_note_chars) {
    return unprocessable("A note has at most " + std::to_string(max_note_chars) + " characters.");
  }
  return merge;
}

std::variant<bulk_body, input_problem> parse_bulk_body(std::string_view body) {
  auto parsed = object_of(body, "{\"ids\": [\"311-000001\"], \"status\": \"in_progress\"}");
  if (auto* problem = std::get_if<input_problem>(&parsed)) {
    return *problem;
  }
  const auto& object = std::get<json>(parsed);
  const auto ids = object.find("ids");
  if (ids == object.end() || !ids->is_array() || ids->empty() || ids->size() > max_bulk_requests) {
    return unprocessable("ids is a list of 1 to " + std::to_string(max_bulk_requests) +
                         " tracking ids.");
  }
  bulk_body bulk;
  std::set<std::string> seen;
  for (const auto& id : *ids) {
    if (!id.is_string() || id.get_ref<const std::string&>().empty()) {
      return unprocessable("Every id is a tracking id such as \"311-000001\".");
    }
    if (seen.insert(id.get<std::string>()).second) {
      bulk.ids.push_back(id.get<std::string>());
    }
  }
  auto change = read_patch(object, "ids");
  if (auto* problem = std::get_if<input_problem>(&change)) {
    return *problem;
  }
  bulk.change = std::get<request_patch>(std::move(change));
  if (bulk.change.status == "duplicate" || bulk.change.duplicate_of) {
    return unprocessable("Merge duplicates one at a time (POST /api/v1/requests/{id}/merge).");
  }
  if (bulk.change.where) {
    return unprocessable("A bulk change cannot set one location for many requests.");
  }
  return bulk;
}

}  // namespace civicline::server
