#pragma once
// Sending SMS through Twilio's REST API (POST /2010-04-01/Accounts/{sid}/Messages.json):
// the request to send and what its answer means. No I/O here.

#include <optional>
#include <string>
#include <string_view>

#include "channels/sms_outbound.hpp"

namespace civicline::channels {

struct twilio_credentials {
  std::string api_base_url;  // "https://api.twilio.com" (a fake server in tests)
  std::string account_sid;
  std::string auth_token;
  std::string from;                   // our number, used when no messaging service is set
  std::string messaging_service_sid;  // preferred: Twilio picks the sender from the service
};

/// Twilio's error code for "Attempt to send to unsubscribed recipient" (the resident replied
/// STOP).
inline constexpr int twilio_error_unsubscribed_recipient = 21610;

/// The request that sends `sms`: a form POST with To, MessagingServiceSid (when set) or From,
/// Body and StatusCallback (when set), authenticated with HTTP Basic (account SID : auth token).
provider_request twilio_send_request(const twilio_credentials& credentials,
                                     const outbound_sms& sms);

/// What Twilio's answer to twilio_send_request means. 2xx with a `sid`: sent. 429, 5xx and
/// 408: retry later (Retry-After in seconds is honoured). 4xx with code 21610: the recipient
/// opted out. Any other status: permanent failure, with Twilio's `code` and its `message`
/// (phone numbers redacted) as detail. A 2xx without a `sid` is a permanent failure too: the
/// message may have gone out, and retrying could send it twice.
send_outcome classify_twilio_response(int http_status, std::string_view body,
                                      std::optional<std::string_view> retry_after_header);

}  // namespace civicline::channels
