#pragma once
// The Standard Webhooks signature scheme (https://www.standardwebhooks.com): a secret
// "whsec_<base64 key>", and headers webhook-id, webhook-timestamp (unix seconds) and
// webhook-signature "v1,<base64 HMAC-SHA256(key, id.timestamp.body)>". Several signatures
// (during a secret rotation) are separated by spaces; receivers accept any that verifies.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::channels {

/// A new secret: "whsec_" + base64 of 32 random bytes (libsodium's generator).
std::string new_webhook_secret();

/// True when `secret` is "whsec_" followed by standard base64 of at least 24 bytes.
bool is_webhook_secret(std::string_view secret);

/// "v1,<signature>" for the message, or nullopt when `secret` is not a webhook secret.
std::optional<std::string> sign_webhook(std::string_view secret, std::string_view message_id,
                                        std::int64_t timestamp, std::string_view body);

/// The webhook-signature header value: one "v1,..." per valid secret, space-separated.
std::string webhook_signature_header(const std::vector<std::string>& secrets,
                                     std::string_view message_id, std::int64_t timestamp,
                                     std::string_view body);

}  // namespace civicline::channels
