#pragma once
// The provider-neutral seam for inbound SMS: each provider's webhook becomes one sms_inbound,
// so the rest of the server never sees a provider's field names.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "channels/form_body.hpp"

namespace civicline::channels {

/// A message body above this is refused with 413. Real SMS stop far below it (Twilio joins at
/// most 1,600 characters); this only keeps a forged or broken request from reaching the NLP.
inline constexpr std::size_t max_sms_body_bytes = 64 * 1024;

/// Twilio attaches at most 10 media items to one MMS.
inline constexpr int max_sms_media = 10;

/// Multipart SMS carry a one-byte part count, so no message has more parts than this.
inline constexpr int max_sms_concat_parts = 255;

struct sms_media {
  std::string url;
  std::string content_type;
};

/// Where one part of a multipart (concatenated) SMS belongs.
struct sms_concat {
  std::string reference;  // the same for every part of one message (from the same sender)
  int total = 1;
  int part = 1;  // 1-based
};

struct sms_inbound {
  std::string provider;    // "twilio", "vonage"
  std::string message_id;  // MessageSid / messageId: the idempotency key
  std::string account;     // AccountSid / api-key, may be ""
  std::string from;        // "+15550001111", or as given when not a phone number ("whatsapp:+1...")
  std::string to;          // our number, same form; may be ""
  std::string body;
  std::vector<sms_media> media;
  std::optional<sms_concat> concat;
};

/// Why a webhook request is unusable: 400 (missing or malformed field), 413 (too long),
/// 415 (unsupported content type), 422 (well formed but nothing to act on). The message names
/// the field and what to send instead; it never repeats a phone number or message text.
struct sms_input_error {
  int status;
  std::string message;
};

/// True for a sender or recipient address as SMS providers write them: E.164 ("+15550001111",
/// 1-15 digits), a bare number or short code (1-15 digits), an alphanumeric sender ID (1-11
/// letters, digits and spaces with at least one letter), each optionally behind a channel prefix
/// ("whatsapp:+15550001111").
bool is_sms_address(std::string_view address);

/// Reads a Twilio messaging webhook (the decoded form POST). MessageSid and From are required;
/// Body may be empty only when NumMedia > 0; NumMedia is 0..10 with a MediaUrlN (http or https)
/// for each item.
std::variant<sms_inbound, sms_input_error> parse_twilio_inbound(const form_params& params);

/// Reads a Vonage (Nexmo) SMS API inbound webhook, sent as a form body or JSON (choose by the
/// Content-Type header; empty means form, so the query string of a GET webhook can be passed
/// as `body`). msisdn and messageId are required; msisdn and to are normalised to E.164 with
/// '+' when they are all digits. Concatenated parts carry `concat`; join them with
/// join_concat_parts. Binary messages (type=binary) are refused with 422.
std::variant<sms_inbound, sms_input_error> parse_vonage_inbound(std::string_view content_type,
                                                                std::string_view body);

/// Joins the parts of one multipart message once all have arrived: parts in part order.
/// Returns the joined body when `parts` holds every part 1..total, else nullopt. A part number
/// seen twice (a provider retry) counts once, with its first text; numbers outside 1..total are
/// ignored.
std::optional<std::string> join_concat_parts(const std::vector<std::pair<int, std::string>>& parts,
                                             int total);

}  // namespace civicline::channels
