#include "core/open_data.hpp"

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

std::array<std::string, 13> export_fields(const storage::export_record& row,
                                          const config::settings& settings) {
  const auto* category = find_category(settings, row.category);
  return {row.tracking_id,
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
}

std::string export_json(const storage::export_record& row, const config::settings& settings) {
  const auto fields = export_fields(row, settings);
  nlohmann::ordered_json object;
  for (std::size_t i = 0; i < export_columns.size(); ++i) {
    const std::string key(export_columns[i]);
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
