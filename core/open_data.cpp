#include "core/open_data.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace civicline::core {

namespace {

bool is_digit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())) != 0) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())) != 0) {
    text.remove_suffix(1);
  }
  return text;
}

bool is_email_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-' ||
         c == '+' || c == '%';
}

/// Masks "x@y.z" tokens: the run of address characters around each '@' with a dot after it.
std::string mask_emails(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto at = text.find('@', i);
    if (at == std::string_view::npos) {
      out.append(text.substr(i));
      break;
    }
    std::size_t start = at;
    while (start > i && is_email_char(text[start - 1])) {
      --start;
    }
    std::size_t end = at + 1;
    while (end < text.size() && is_email_char(text[end])) {
      ++end;
    }
    const auto domain = text.substr(at + 1, end - at - 1);
    if (start < at && domain.find('.') != std::string_view::npos) {
      out.append(text.substr(i, start - i));
      out.append("[email]");
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

/// Masks runs of digits and phone punctuation holding seven or more digits.
std::string mask_phones(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_digit(text[i]) && !(text[i] == '+' && i + 1 < text.size() && is_digit(text[i + 1])) &&
        !(text[i] == '(' && i + 1 < text.size() && is_digit(text[i + 1]))) {
      out.push_back(text[i++]);
      continue;
    }
    std::size_t end = i;
    std::size_t last_digit = i;
    int digits = 0;
    while (end < text.size()) {
      const char c = text[end];
      if (is_digit(c)) {
        ++digits;
        last_digit = end;
      } else if (!(c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '+')) {
        break;
      }
      ++end;
    }
    if (digits >= 7) {
      out.append("[phone]");
      i = last_digit + 1;
    } else {
      out.append(text.substr(i, last_digit + 1 - i));
      i = last_digit + 1;
    }
  }
  return out;
}

/// Words after which a resident often gives a name: "my name is Ana Ruiz", "call Bob".
constexpr std::array<std::string_view, 16> name_cues{
    "my name is", "name is", "this is",  "i am",      "i'm",      "ask for",
    "call",       "contact", "speak to", "talk to",   "me llamo", "mi nombre es",
    "soy",        "llame a", "llamar a", "hablar con"};

bool starts_word_at(std::string_view text, std::size_t at) {
  return at == 0 || std::isalnum(static_cast<unsigned char>(text[at - 1])) == 0;
}

/// A word that starts with a capital letter (ASCII, or a two-byte UTF-8 Latin capital such as
/// "Á"): how names are written, and how this rule tells "I'm Ana" from "I'm tired".
std::size_t capitalized_word_length(std::string_view text, std::size_t at) {
  if (at >= text.size()) {
    return 0;
  }
  const auto first = static_cast<unsigned char>(text[at]);
  const bool capital =
      std::isupper(first) != 0 ||
      (first == 0xC3 && at + 1 < text.size() && static_cast<unsigned char>(text[at + 1]) >= 0x80 &&
       static_cast<unsigned char>(text[at + 1]) <= 0x9E);
  if (!capital) {
    return 0;
  }
  std::size_t end = at;
  while (end < text.size() &&
         (std::isalpha(static_cast<unsigned char>(text[end])) != 0 ||
          static_cast<unsigned char>(text[end]) >= 0x80 || text[end] == '\'' || text[end] == '-')) {
    ++end;
  }
  return end - at;
}

/// Replaces the one to three capitalised words after a name cue with "[name]".
std::string mask_names(std::string_view text) {
  std::string lower(text);
  for (auto& c : lower) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string out;
  std::size_t copied = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t name_start = std::string_view::npos;
    for (const auto cue : name_cues) {
      if (lower.compare(i, cue.size(), cue) == 0 && starts_word_at(text, i) &&
          i + cue.size() < text.size() && text[i + cue.size()] == ' ') {
        name_start = i + cue.size() + 1;
        break;
      }
    }
    if (name_start == std::string_view::npos) {
      ++i;
      continue;
    }
    std::size_t end = name_start;
    for (int words = 0; words < 3; ++words) {
      const auto length = capitalized_word_length(text, end);
      if (length == 0) {
        break;
      }
      std::size_t next = end + length;
      end = next;
      if (next + 1 < text.size() && text[next] == ' ' &&
          capitalized_word_length(text, next + 1) > 0) {
        end = next + 1;
      } else {
        break;
      }
    }
    while (end > name_start && text[end - 1] == ' ') {
      --end;
    }
    if (end == name_start) {
      i = name_start;
      continue;
    }
    out.append(text.substr(copied, name_start - copied));
    out.append("[name]");
    copied = i = end;
  }
  out.append(text.substr(copied));
  return out;
}

const config::category* find_category(const config::settings& settings, std::string_view code) {
  for (const auto& category : settings.categories) {
    if (category.code == code) {
      return &category;
    }
  }
  return nullptr;
}

std::string localized(const config::localized_text& text, const config::settings& settings) {
  const std::string language =
      settings.city.languages.empty() ? std::string("en") : settings.city.languages.front();
  if (auto found = text.find(language); found != text.end()) {
    return found->second;
  }
  return text.empty() ? std::string() : text.begin()->second;
}

}  // namespace

std::string mask_contact_details(std::string_view text) {
  return mask_phones(mask_emails(text));
}

std::string mask_personal_details(std::string_view text) {
  return mask_names(mask_contact_details(text));
}

std::vector<std::string_view> export_header(const config::settings& settings) {
  std::vector<std::string_view> names(export_columns.begin(), export_columns.end());
  if (settings.public_data.export_descriptions) {
    names.push_back(description_column);
  }
  return names;
}

std::string block_address(std::string_view location) {
  const auto text = trim(location);
  std::size_t digits = 0;
  while (digits < text.size() && is_digit(text[digits])) {
    ++digits;
  }
  // A house number: 1-6 digits, maybe a letter or half ("12B", "12-A"), then the street.
  std::size_t after = digits;
  while (after < text.size() && text[after] != ' ') {
    ++after;
  }
  if (digits == 0 || digits > 6 || after - digits > 2 || after >= text.size()) {
    return mask_contact_details(text);
  }
  const auto street = trim(text.substr(after));
  if (street.empty()) {
    return mask_contact_details(text);
  }
  const long number = std::stol(std::string(text.substr(0, digits)));
  return std::to_string(number / 100 * 100) + " block of " + mask_contact_details(street);
}

std::string rounded_coordinate(const std::optional<double>& degrees) {
  if (!degrees || !std::isfinite(*degrees)) {
    return "";
  }
  char buffer[32];
  double rounded = std::round(*degrees * 1000.0) / 1000.0;
  if (rounded == 0.0) {
    rounded = 0.0;  // no "-0.000"
  }
  std::snprintf(buffer, sizeof buffer, "%.3f", rounded);
  return buffer;
}

std::vector<std::string> export_fields(const storage::export_record& row,
                                       const config::settings& settings) {
  const auto* category = find_category(settings, row.category);
  std::vector<std::string> fields{row.tracking_id,
                                  row.created_at,
                                  row.updated_at,
                                  row.closed_at.value_or(""),
                                  row.status,
                                  mask_contact_details(row.status_note),
                                  row.category,
                                  category ? localized(category->name, settings) : row.category,
                                  row.channel,
                                  block_address(row.location_text),
                                  rounded_coordinate(row.lat),
                                  rounded_coordinate(row.lon),
                                  category ? category->group : std::string()};
  if (settings.public_data.export_descriptions) {
    fields.push_back(mask_personal_details(row.description));
  }
  return fields;
}

std::string export_json(const storage::export_record& row, const config::settings& settings) {
  const auto fields = export_fields(row, settings);
  const auto names = export_header(settings);
  nlohmann::ordered_json object;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string key(names[i]);
    const auto& value = fields[i];
    const bool number = key == "lat" || key == "long";
    const bool nullable = number || key == "closed_datetime";
    if (value.empty() && nullable) {
      object[key] = nullptr;
    } else if (number) {
      object[key] = std::stod(value);
    } else {
      object[key] = value;
    }
  }
  return object.dump();
}

}  // namespace civicline::core
