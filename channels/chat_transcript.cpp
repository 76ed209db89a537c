#include "channels/chat_transcript.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <regex>

namespace civicline::channels {
namespace {

using nlohmann::json;

/// "1 to report a problem", "2 para ver un reporte", "3) 311-000123 Pothole", "YES to send it":
/// a number or yes/no word, a connector, and a label up to the next comma, " or " or full stop.
const std::regex& choice_pattern() {
  static const std::regex pattern(
      R"((?:^|[\s,(])(\d{1,2}|YES|NO|SI|SÍ)(?: for | to | para |\) )(.+?)(?=,| or | o |\. |\.$|\?|$))");
  return pattern;
}

bool has_letter(std::string_view text) {
  return std::ranges::any_of(text, [](char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || static_cast<unsigned char>(c) >= 0x80;
  });
}

}  // namespace

std::vector<quick_reply> quick_replies(std::string_view text) {
  std::vector<quick_reply> out;
  const std::string subject(text);
  for (auto it = std::sregex_iterator(subject.begin(), subject.end(), choice_pattern());
       it != std::sregex_iterator(); ++it) {
    auto value = (*it)[1].str();
    auto label = (*it)[2].str();
    // "a number from 1 to 5" is not a choice: a label says something.
    const bool seen = std::ranges::any_of(out, [&](const auto& q) { return q.value == value; });
    if (!has_letter(label) || seen) {
      continue;
    }
    out.push_back({std::move(value), std::move(label)});
  }
  return out;
}

std::vector<std::string> tracking_ids_in(std::string_view text, std::string_view prefix,
                                         int digits) {
  std::vector<std::string> ids;
  if (prefix.empty() || digits <= 0) {
    return ids;
  }
  const auto width = static_cast<std::size_t>(digits);
  for (auto at = text.find(prefix); at != std::string_view::npos; at = text.find(prefix, at + 1)) {
    const auto start = at + prefix.size();
    const auto number = text.substr(start, width);
    const bool digits_only = number.size() == width && std::ranges::all_of(number, [](char c) {
                               return std::isdigit(static_cast<unsigned char>(c));
                             });
    const bool ends = start + width == text.size() ||
                      !std::isalnum(static_cast<unsigned char>(text[start + width]));
    if (digits_only && ends) {
      std::string id(text.substr(at, prefix.size() + width));
      if (std::ranges::find(ids, id) == ids.end()) {
        ids.push_back(std::move(id));
      }
    }
  }
  return ids;
}

std::string render_chat_lines(const std::vector<storage::chat_line>& lines, std::int64_t after,
                              const tracking_id_format& format) {
  json messages = json::array();
  std::int64_t cursor = after;
  for (const auto& line : lines) {
    json message = {{"id", line.id},
                    {"from", line.direction == "in" ? "visitor" : "city"},
                    {"text", line.body},
                    {"at", line.created_at}};
    auto ids = tracking_ids_in(line.body, format.prefix, format.digits);
    if (line.tracking_id && std::ranges::find(ids, *line.tracking_id) == ids.end()) {
      ids.push_back(*line.tracking_id);
    }
    message["tracking_ids"] = ids;
    json buttons = json::array();
    if (line.direction == "out") {
      for (auto& choice : quick_replies(line.body)) {
        buttons.push_back({{"value", choice.value}, {"label", choice.label}});
      }
    }
    message["quick_replies"] = std::move(buttons);
    messages.push_back(std::move(message));
    cursor = line.id;
  }
  const json out = {{"type", "messages"}, {"messages", std::move(messages)}, {"cursor", cursor}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace civicline::channels
