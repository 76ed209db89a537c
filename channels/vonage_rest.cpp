#include "channels/vonage_rest.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"
#include "channels/utf8.hpp"

namespace civicline::channels {
namespace {

using nlohmann::json;

// Vonage SMS API `status` values (developer.vonage.com/messaging/sms/guides/troubleshooting-sms).
constexpr int vonage_throttled = 1;
constexpr int vonage_internal_error = 5;
constexpr int vonage_number_barred = 7;
constexpr int vonage_partner_quota_violation = 9;
constexpr int vonage_too_many_binds = 10;

/// The GSM 03.38 basic character set and extension table, other than ASCII letters and digits.
constexpr std::u32string_view gsm_characters =
    U"@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà"
    U"\f^{}\\[~]|€";

bool in_gsm_alphabet(char32_t cp) {
  return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
         gsm_characters.find(cp) != std::u32string_view::npos;
}

std::string without_trailing_slashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') {
    url.remove_suffix(1);
  }
  return std::string(url);
}

std::string without_plus(std::string_view number) {
  return std::string(number.starts_with('+') ? number.substr(1) : number);
}

/// A message part's status, which Vonage sends as a string ("0") but which we also accept as a
/// number; -1 when absent or unreadable.
int part_status(const json& part) {
  if (!part.is_object() || !part.contains("status")) {
    return -1;
  }
  const json& status = part["status"];
  if (status.is_number_integer()) {
    return status.get<int>();
  }
  if (status.is_string()) {
    const std::string text = status.get<std::string>();
    if (!text.empty() && text.size() < 6 &&
        std::ranges::all_of(text, [](char c) { return c >= '0' && c <= '9'; })) {
      return std::stoi(text);
    }
  }
  return -1;
}

std::string string_field(const json& object, const char* key) {
  return object.is_object() && object.contains(key) && object[key].is_string()
             ? object[key].get<std::string>()
             : std::string();
}

}  // namespace

bool fits_gsm_alphabet(std::string_view text) {
  for (std::size_t pos = 0; pos < text.size();) {
    if (!in_gsm_alphabet(next_code_point(text, pos))) {
      return false;
    }
  }
  return true;
}

provider_request vonage_send_request(const vonage_credentials& credentials,
                                     const outbound_sms& sms) {
  form_params form{
      {"api_key", credentials.api_key},
      {"api_secret", credentials.api_secret},
      {"from", without_plus(credentials.from)},
      {"to", without_plus(sms.to)},
      {"text", sms.body},
  };
  if (!fits_gsm_alphabet(sms.body)) {
    form.emplace_back("type", "unicode");
  }
  if (sms.status_callback_url) {
    form.emplace_back("status-report-req", "1");
    form.emplace_back("callback", *sms.status_callback_url);
  }
  const std::string base = credentials.api_base_url.empty()
                               ? std::string("https://rest.nexmo.com")
                               : without_trailing_slashes(credentials.api_base_url);
  return provider_request{
      "POST",
      base + "/sms/json",
      {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}},
      encode_form_body(form),
  };
}

send_outcome classify_vonage_response(int http_status, std::string_view body,
                                      std::optional<std::string_view> retry_after_header) {
  send_outcome outcome{send_outcome_kind::permanent_failure, {}, 0, {}, std::nullopt};
  const std::string status_text = "Vonage answered HTTP " + std::to_string(http_status);
  if (http_status == 429 || (http_status >= 500 && http_status < 600)) {
    outcome.kind = send_outcome_kind::retry_later;
    outcome.retry_after = parse_retry_after(retry_after_header);
    outcome.detail = status_text;
    return outcome;
  }
  if (http_status < 200 || http_status >= 300) {
    outcome.detail = status_text;
    return outcome;
  }

  const json parsed = json::parse(body, nullptr, false);
  const bool has_parts = !parsed.is_discarded() && parsed.is_object() &&
                         parsed.contains("messages") && parsed["messages"].is_array() &&
                         !parsed["messages"].empty();
  if (!has_parts) {
    outcome.detail = status_text + " without a messages list; not retried, it may have been sent";
    return outcome;
  }
  const json& parts = parsed["messages"];
  const auto failed =
      std::ranges::find_if(parts, [](const json& part) { return part_status(part) != 0; });
  if (failed == parts.end()) {
    outcome.provider_message_id = string_field(parts[0], "message-id");
    if (outcome.provider_message_id.empty()) {
      outcome.detail = status_text + " without a message-id; not retried, it may have been sent";
      return outcome;
    }
    outcome.kind = send_outcome_kind::sent;
    return outcome;
  }

  const int status = part_status(*failed);
  outcome.provider_error_code = status;
  const std::string error_text = redact_phone_numbers(string_field(*failed, "error-text"));
  outcome.detail = "Vonage status " + std::to_string(status) +
                   (error_text.empty() ? std::string() : ": " + error_text);
  switch (status) {
    case vonage_throttled:
    case vonage_internal_error:
    case vonage_partner_quota_violation:
    case vonage_too_many_binds:
      outcome.kind = send_outcome_kind::retry_later;
      outcome.retry_after = parse_retry_after(retry_after_header);
      break;
    case vonage_number_barred:
      outcome.kind = send_outcome_kind::recipient_opted_out;
      break;
    default:
      break;
  }
  return outcome;
}

}  // namespace civicline::channels
