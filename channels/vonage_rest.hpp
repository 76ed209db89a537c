#pragma once
// Sending SMS through Vonage's (Nexmo's) SMS API (POST /sms/json): the request to send and
// what its answer means. No I/O here.

#include <optional>
#include <string>
#include <string_view>

#include "channels/sms_outbound.hpp"

namespace civicline::channels {

struct vonage_credentials {
  std::string api_base_url = "https://rest.nexmo.com";
  std::string api_key;
  std::string api_secret;
  std::string from;  // our number (E.164, '+' optional) or an alphanumeric sender ID
};

/// True when every character of `text` is in the GSM 03.38 alphabet (its basic set or its
/// extension table), so the SMS can be sent as 7-bit text rather than as UCS-2 ("unicode").
bool fits_gsm_alphabet(std::string_view text);

/// The request that sends `sms`: a form POST with api_key, api_secret, from, to (digits, no
/// '+'), text, type=unicode when the text does not fit the GSM alphabet, and callback with
/// status-report-req=1 when a status callback URL is set. The credentials travel in the body:
/// do not log it.
provider_request vonage_send_request(const vonage_credentials& credentials,
                                     const outbound_sms& sms);

/// What Vonage's answer means. Vonage reports per message part in messages[i].status: all "0"
/// is sent (id of the first part); otherwise the first non-zero status decides: 1 (throttled),
/// 5 (internal error), 9 (out of credit: retry after a top-up) and 10 (too many binds) retry
/// later; 7 (number barred, which is how a STOP reply shows) means the recipient opted out;
/// the rest are permanent. HTTP 429 and 5xx retry later; other non-2xx statuses are permanent.
send_outcome classify_vonage_response(int http_status, std::string_view body,
                                      std::optional<std::string_view> retry_after_header);

}  // namespace civicline::channels
