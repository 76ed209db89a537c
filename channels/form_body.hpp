#pragma once
// application/x-www-form-urlencoded bodies: what Twilio and Vonage POST to our webhooks, and
// what their REST APIs expect from us.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicline::channels {

/// Name/value pairs in body order, percent-decoded. A name may appear more than once.
using form_params = std::vector<std::pair<std::string, std::string>>;

/// Decodes a form body: '+' is a space, %XX is a byte ("%2B" is '+'). Empty pieces ("a=1&&b=2")
/// are skipped and a piece without '=' is a name with an empty value. Raw bytes that a strict
/// encoder would have escaped (a space from `curl -d`, UTF-8) are kept as they are.
/// Returns nullopt when a '%' is not followed by two hex digits.
/// Decoded bytes are not checked for UTF-8: invalid sequences are passed on unchanged (the NLP
/// replaces them with U+FFFD), so a signature check still sees exactly what the sender signed.
std::optional<form_params> parse_form_body(std::string_view body);

/// Encodes params like a browser's form (the WHATWG urlencoded serializer): ASCII letters,
/// digits and "*-._" stay, a space becomes '+', every other byte is %XX. parse_form_body reads
/// it back unchanged.
std::string encode_form_body(const form_params& params);

/// The first value given for `name`, or nullptr when there is none.
const std::string* form_value(const form_params& params, std::string_view name);

}  // namespace civicline::channels
