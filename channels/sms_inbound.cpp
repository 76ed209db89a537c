#include "channels/sms_inbound.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>

namespace civicline::channels {
namespace {

using nlohmann::json;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool all_digits(std::string_view text) {
  return std::ranges::all_of(text, is_digit);
}

/// A non-negative decimal integer written with digits only ("3", not " 3", "+3" or "3.0").
std::optional<int> parse_count(std::string_view text) {
  int value = 0;
  if (text.empty() || text.size() > 9 || !all_digits(text)) {
    return std::nullopt;
  }
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

/// Provider message ids are short tokens ("SM" + 32 hex, Vonage's 16 hex); anything else would
/// make a poor idempotency key.
bool is_message_id(std::string_view id) {
  return !id.empty() && id.size() <= 64 && std::ranges::all_of(id, [](char c) {
    return is_digit(c) || is_alpha(c) || c == '-' || c == '_';
  });
}

bool is_http_url(std::string_view url) {
  return (url.starts_with("https://") || url.starts_with("http://")) && url.size() <= 2048 &&
         std::ranges::none_of(url, [](char c) { return static_cast<unsigned char>(c) <= 0x20; });
}

sms_input_error bad_request(std::string message) {
  return {400, std::move(message)};
}

sms_input_error body_too_long(std::string_view field) {
  return {413, std::string(field) + " is longer than " + std::to_string(max_sms_body_bytes) +
                   " bytes; send the message text only."};
}

/// Vonage writes numbers without '+'; everywhere else we keep E.164 with it.
std::string to_e164(std::string_view address) {
  if (!address.empty() && address.size() <= 15 && all_digits(address)) {
    return "+" + std::string(address);
  }
  return std::string(address);
}

/// A Vonage webhook's fields as strings, whether they came as a form or as JSON (where the
/// concat fields may be numbers or booleans).
using field_map = std::map<std::string, std::string, std::less<>>;

std::variant<field_map, sms_input_error> vonage_fields(std::string_view content_type,
                                                       std::string_view body) {
  std::string media_type(content_type.substr(0, content_type.find(';')));
  std::ranges::transform(media_type, media_type.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::erase_if(media_type, [](char c) { return c == ' ' || c == '\t'; });
  field_map fields;
  if (media_type == "application/json" || media_type.ends_with("+json")) {
    const auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      return bad_request("The body is not a JSON object; send Vonage's inbound SMS fields.");
    }
    for (const auto& [key, value] : parsed.items()) {
      if (value.is_string()) {
        fields.emplace(key, value.get<std::string>());
      } else if (value.is_number_integer() || value.is_boolean()) {
        fields.emplace(key, value.dump());
      }
    }
    return fields;
  }
  if (!media_type.empty() && media_type != "application/x-www-form-urlencoded") {
    return sms_input_error{
        415, "Send the webhook as application/x-www-form-urlencoded or application/json."};
  }
  const auto params = parse_form_body(body);
  if (!params) {
    return bad_request(
        "The form body has a broken %-escape; encode it as "
        "application/x-www-form-urlencoded.");
  }
  for (const auto& [name, value] : *params) {
    fields.emplace(name, value);  // the first value wins, like form_value
  }
  return fields;
}

std::string_view field(const field_map& fields, std::string_view name) {
  const auto found = fields.find(name);
  return found == fields.end() ? std::string_view() : std::string_view(found->second);
}

}  // namespace

bool is_sms_address(std::string_view address) {
  // A channel prefix such as "whatsapp:" or "messenger:".
  if (const std::size_t colon = address.find(':'); colon != std::string_view::npos) {
    const std::string_view prefix = address.substr(0, colon);
    if (prefix.empty() || prefix.size() > 16 || !std::ranges::all_of(prefix, is_alpha)) {
      return false;
    }
    address.remove_prefix(colon + 1);
  }
  const std::string_view digits = address.starts_with('+') ? address.substr(1) : address;
  if (!digits.empty() && digits.size() <= 15 && all_digits(digits)) {
    return true;
  }
  return !address.empty() && address.size() <= 11 && std::ranges::any_of(address, is_alpha) &&
         address.front() != ' ' && address.back() != ' ' &&
         std::ranges::all_of(address,
                             [](char c) { return is_alpha(c) || is_digit(c) || c == ' '; });
}

std::variant<sms_inbound, sms_input_error> parse_twilio_inbound(const form_params& params) {
  const auto value = [&params](std::string_view name) {
    const std::string* found = form_value(params, name);
    return found ? std::string_view(*found) : std::string_view();
  };
  sms_inbound sms;
  sms.provider = "twilio";
  sms.message_id = value("MessageSid");
  if (!is_message_id(sms.message_id)) {
    return bad_request(sms.message_id.empty()
                           ? "MessageSid is missing; send Twilio's messaging webhook fields."
                           : "MessageSid must be letters, digits, '-' or '_' (at most 64).");
  }
  sms.account = value("AccountSid");
  if (!sms.account.empty() && !is_message_id(sms.account)) {
    return bad_request("AccountSid must be letters, digits, '-' or '_' (at most 64).");
  }
  sms.from = value("From");
  if (sms.from.empty()) {
    return bad_request("From is missing; send the sender's number in E.164 (+15550001111).");
  }
  if (!is_sms_address(sms.from)) {
    return bad_request("From is not a phone number; send it in E.164 (+15550001111).");
  }
  sms.to = value("To");
  if (!sms.to.empty() && !is_sms_address(sms.to)) {
    return bad_request("To is not a phone number; send it in E.164 (+15550001111).");
  }
  sms.body = value("Body");
  if (sms.body.size() > max_sms_body_bytes) {
    return body_too_long("Body");
  }

  int media_count = 0;
  if (const std::string_view num_media = value("NumMedia"); !num_media.empty()) {
    const auto count = parse_count(num_media);
    if (!count || *count > max_sms_media) {
      return bad_request("NumMedia must be a whole number from 0 to " +
                         std::to_string(max_sms_media) + ".");
    }
    media_count = *count;
  }
  for (int i = 0; i < media_count; ++i) {
    const std::string index = std::to_string(i);
    sms_media media{std::string(value("MediaUrl" + index)),
                    std::string(value("MediaContentType" + index))};
    if (!is_http_url(media.url)) {
      return bad_request("MediaUrl" + index + " must be an http(s) URL (NumMedia is " +
                         std::to_string(media_count) + ").");
    }
    sms.media.push_back(std::move(media));
  }
  if (sms.body.empty() && sms.media.empty()) {
    return sms_input_error{422, "The message has no Body and no media; there is nothing to read."};
  }
  return sms;
}

std::variant<sms_inbound, sms_input_error> parse_vonage_inbound(std::string_view content_type,
                                                                std::string_view body) {
  auto parsed = vonage_fields(content_type, body);
  if (auto* error = std::get_if<sms_input_error>(&parsed)) {
    return std::move(*error);
  }
  const auto& fields = std::get<field_map>(parsed);

  sms_inbound sms;
  sms.provider = "vonage";
  sms.message_id = field(fields, "messageId");
  if (!is_message_id(sms.message_id)) {
    return bad_request(sms.message_id.empty()
                           ? "messageId is missing; send Vonage's inbound SMS fields."
                           : "messageId must be letters, digits, '-' or '_' (at most 64).");
  }
  sms.account = field(fields, "api-key");
  const std::string_view msisdn = field(fields, "msisdn");
  if (msisdn.empty()) {
    return bad_request("msisdn is missing; send the sender's number (15550001111).");
  }
  if (!is_sms_address(msisdn)) {
    return bad_request("msisdn is not a phone number; send digits only (15550001111).");
  }
  sms.from = to_e164(msisdn);
  const std::string_view to = field(fields, "to");
  if (!to.empty() && !is_sms_address(to)) {
    return bad_request("to is not a phone number; send digits only (15550001111).");
  }
  sms.to = to_e164(to);

  const std::string_view type = field(fields, "type");
  if (type == "binary") {
    return sms_input_error{422, "Binary SMS (type=binary) are not supported; send text."};
  }
  if (!type.empty() && type != "text" && type != "unicode") {
    return bad_request("type must be text or unicode.");
  }
  sms.body = field(fields, "text");
  if (sms.body.size() > max_sms_body_bytes) {
    return body_too_long("text");
  }

  const std::string_view concat = field(fields, "concat");
  if (concat == "true") {
    const auto total = parse_count(field(fields, "concat-total"));
    const auto part = parse_count(field(fields, "concat-part"));
    const std::string_view reference = field(fields, "concat-ref");
    if (reference.empty() || reference.size() > 64) {
      return bad_request("concat-ref is missing; every part of a multipart SMS needs it.");
    }
    if (!total || *total < 1 || *total > max_sms_concat_parts) {
      return bad_request("concat-total must be a whole number from 1 to " +
                         std::to_string(max_sms_concat_parts) + ".");
    }
    if (!part || *part < 1 || *part > *total) {
      return bad_request("concat-part must be a whole number from 1 to concat-total.");
    }
    sms.concat = sms_concat{std::string(reference), *total, *part};
  } else if (!concat.empty() && concat != "false") {
    return bad_request("concat must be true or false.");
  }
  if (sms.body.empty() && !sms.concat) {
    return sms_input_error{422, "The message has no text; there is nothing to read."};
  }
  return sms;
}

std::optional<std::string> join_concat_parts(const std::vector<std::pair<int, std::string>>& parts,
                                             int total) {
  if (total < 1 || total > max_sms_concat_parts) {
    return std::nullopt;
  }
  std::vector<const std::string*> ordered(static_cast<std::size_t>(total), nullptr);
  for (const auto& [part, text] : parts) {
    if (part >= 1 && part <= total && !ordered[static_cast<std::size_t>(part - 1)]) {
      ordered[static_cast<std::size_t>(part - 1)] = &text;
    }
  }
  std::string joined;
  for (const auto* text : ordered) {
    if (!text) {
      return std::nullopt;
    }
    joined += *text;
  }
  return joined;
}

}  // namespace civicline::channels
