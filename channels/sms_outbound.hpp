#pragma once
// What the SMS dispatcher hands a provider's REST builder, and what it gets back from the
// response classifier. The HTTP transport between them lives in server/.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicline::channels {

/// One SMS to send.
struct outbound_sms {
  std::string to;                                  // E.164, "+15550001111"
  std::string body;                                // UTF-8
  std::optional<std::string> status_callback_url;  // where the provider reports delivery
};

/// A complete HTTP request for the transport to send as is. The body may hold credentials
/// (Vonage), so neither it nor the Authorization header may be logged.
struct provider_request {
  std::string method;
  std::string target_url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

enum class send_outcome_kind {
  sent,                 // the provider accepted the message
  retry_later,          // a passing problem (rate limit, provider outage): try again
  permanent_failure,    // sending again would fail the same way: give up and record why
  recipient_opted_out,  // the recipient replied STOP: record the opt-out, never retry
};

struct send_outcome {
  send_outcome_kind kind;
  std::string provider_message_id;  // when sent: the id that status callbacks will carry
  int provider_error_code = 0;      // Twilio's `code`, Vonage's `status`
  std::string detail;               // for logs and the staff console; never a phone number
  std::optional<std::chrono::seconds> retry_after;  // when the provider said how long to wait
};

/// The longest wait a Retry-After header may ask for; longer ones are cut to this.
inline constexpr std::chrono::seconds max_retry_after{24 * 60 * 60};

/// A Retry-After header given in seconds ("120"), capped at max_retry_after. The HTTP-date form
/// needs a clock, so it gives nullopt like a missing or malformed header; the dispatcher then
/// uses its own back-off.
std::optional<std::chrono::seconds> parse_retry_after(std::optional<std::string_view> header);

/// `text` with anything that looks like a phone number (7 or more digits, possibly with '+',
/// spaces, dashes, dots or parentheses between them) replaced by "[number]", and cut to 300
/// bytes (a date may be hidden too: the safe mistake): provider error messages often quote the
/// recipient ("The 'To' number +1555... is not valid"), and details end up in logs.
std::string redact_phone_numbers(std::string_view text);

}  // namespace civicline::channels
