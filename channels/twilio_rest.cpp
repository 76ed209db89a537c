#include "channels/twilio_rest.hpp"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"

namespace civicline::channels {
namespace {

using nlohmann::json;

std::string base64(std::string_view text) {
  std::string out(4 * ((text.size() + 2) / 3), '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                      reinterpret_cast<const unsigned char*>(text.data()),
                                      static_cast<int>(text.size()));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

/// A path segment: an account SID is letters and digits, but a misconfigured one must not be
/// able to change the path.
std::string path_segment(std::string_view text) {
  std::string encoded = encode_form_body({{std::string(text), ""}});
  encoded.pop_back();  // the '=' after the "name"
  std::string segment;
  for (const char c : encoded) {
    segment += c == '+' ? std::string("%20") : std::string(1, c);  // '+' is a space in a form
  }
  return segment;
}

std::string without_trailing_slashes(std::string_view url) {
  while (!url.empty() && url.back() == '/') {
    url.remove_suffix(1);
  }
  return std::string(url);
}

}  // namespace

provider_request twilio_send_request(const twilio_credentials& credentials,
                                     const outbound_sms& sms) {
  form_params form{{"To", sms.to}};
  if (!credentials.messaging_service_sid.empty()) {
    form.emplace_back("MessagingServiceSid", credentials.messaging_service_sid);
  } else {
    form.emplace_back("From", credentials.from);
  }
  form.emplace_back("Body", sms.body);
  if (sms.status_callback_url) {
    form.emplace_back("StatusCallback", *sms.status_callback_url);
  }
  provider_request request;
  request.method = "POST";
  request.target_url = without_trailing_slashes(credentials.api_base_url) +
                       "/2010-04-01/Accounts/" + path_segment(credentials.account_sid) +
                       "/Messages.json";
  request.headers = {
      {"Authorization", "Basic " + base64(credentials.account_sid + ":" + credentials.auth_token)},
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"Accept", "application/json"},
  };
  request.body = encode_form_body(form);
  return request;
}

send_outcome classify_twilio_response(int http_status, std::string_view body,
                                      std::optional<std::string_view> retry_after_header) {
  const json parsed = json::parse(body, nullptr, false);
  const bool is_object = !parsed.is_discarded() && parsed.is_object();
  const auto text = [&](const char* key) {
    return is_object && parsed.contains(key) && parsed[key].is_string()
               ? parsed[key].get<std::string>()
               : std::string();
  };

  send_outcome outcome{send_outcome_kind::permanent_failure, {}, 0, {}, std::nullopt};
  if (is_object && parsed.contains("code") && parsed["code"].is_number_integer()) {
    outcome.provider_error_code = parsed["code"].get<int>();
  }
  const std::string message = redact_phone_numbers(text("message"));
  const std::string status_text = "Twilio answered HTTP " + std::to_string(http_status);
  outcome.detail = message.empty() ? status_text : status_text + ": " + message;

  if (http_status >= 200 && http_status < 300) {
    outcome.provider_message_id = text("sid");
    if (outcome.provider_message_id.empty()) {
      outcome.detail = status_text + " without a message sid; not retried, it may have been sent";
      return outcome;
    }
    outcome.kind = send_outcome_kind::sent;
    outcome.detail.clear();
    return outcome;
  }
  if (http_status == 429 || http_status == 408 || (http_status >= 500 && http_status < 600)) {
    outcome.kind = send_outcome_kind::retry_later;
    outcome.retry_after = parse_retry_after(retry_after_header);
    return outcome;
  }
  if (http_status >= 400 && http_status < 500 &&
      outcome.provider_error_code == twilio_error_unsubscribed_recipient) {
    outcome.kind = send_outcome_kind::recipient_opted_out;
  }
  return outcome;
}

}  // namespace civicline::channels
