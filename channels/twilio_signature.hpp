#pragma once
// Twilio's webhook signature (X-Twilio-Signature): proof that a POST to our SMS webhook came
// from Twilio. Mirrors the twilio npm SDK 6.x (lib/webhooks/webhooks.js), which the end-to-end
// tests use to sign their requests.

#include <optional>
#include <string>
#include <string_view>

#include "channels/form_body.hpp"

namespace civicline::channels {

/// HMAC_SHA1 signs with the account's auth token (the classic scheme); HMAC_SHA256 is used for
/// webhooks signed with a SharedKey, announced in X-Twilio-Webhooks-Signature-Settings.
enum class twilio_signature_algorithm { hmac_sha1, hmac_sha256 };

/// The algorithm named in an X-Twilio-Webhooks-Signature-Settings header
/// ("key=...,algorithm=HMAC_SHA256"); an empty header or one without `algorithm=` means
/// HMAC_SHA1. Returns nullopt for an algorithm we do not know, which must fail validation.
std::optional<twilio_signature_algorithm> twilio_signature_algorithm_from_settings(
    std::string_view settings_header);

/// base64(HMAC(auth_token, url + name1 + value1 + name2 + value2 ...)) with the POST params
/// sorted by name. Like the SDK, a name given several times contributes its distinct values in
/// sorted order, and sorting compares UTF-16 code units (JavaScript's default sort), which
/// differs from byte order only for characters above U+FFFF. Bytes are signed as given.
std::string twilio_signature(
    std::string_view auth_token, std::string_view url, const form_params& params,
    twilio_signature_algorithm algorithm = twilio_signature_algorithm::hmac_sha1);

/// True when `header_value` is the signature of this request. Like the SDK's validateRequest,
/// it tries the URL as received without and with the default port (Twilio may sign either,
/// depending on how the webhook URL was configured), then the URL as a browser would normalise
/// it (percent-encoding quotes and spaces, dropping a default port), also with its query
/// re-encoded the way Node's legacy `querystring` does. Comparison is constant-time.
bool twilio_signature_valid(
    std::string_view auth_token, std::string_view url, const form_params& params,
    std::string_view header_value,
    twilio_signature_algorithm algorithm = twilio_signature_algorithm::hmac_sha1);

/// The absolute URL Twilio requested: our public base URL (as configured in Twilio, e.g.
/// "https://city.example" or "https://city.example/civicline/") joined with the request target
/// from the HTTP request line ("/sms/twilio?x=1") without doubling or dropping a slash.
/// Behind a TLS-terminating proxy the Host header and scheme we see are not what Twilio signed,
/// which is why the base comes from configuration.
std::string public_url(std::string_view public_base_url, std::string_view request_target);

}  // namespace civicline::channels
