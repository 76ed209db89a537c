// The Twilio signature check (channels/twilio_signature.hpp). Input: the URL on the first line,
// the form body after it. Properties: never crashes on any URL, body or header value; the
// signature we compute is accepted; a changed signature is refused.

#include "channels/form_body.hpp"
#include "channels/twilio_signature.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace civicline;
  const auto [url, body] = fuzz::split_line(fuzz::as_text(data, size));
  const auto params = channels::parse_form_body(body);
  if (!params) {
    return 0;
  }
  constexpr std::string_view token = "12345";
  for (const auto algorithm : {channels::twilio_signature_algorithm::hmac_sha1,
                               channels::twilio_signature_algorithm::hmac_sha256}) {
    const auto signature = channels::twilio_signature(token, url, *params, algorithm);
    CIVICLINE_FUZZ_CHECK(
        channels::twilio_signature_valid(token, url, *params, signature, algorithm));
    auto forged = signature;
    forged[0] = forged[0] == 'A' ? 'B' : 'A';
    CIVICLINE_FUZZ_CHECK(!channels::twilio_signature_valid(token, url, *params, forged, algorithm));
    // The body's own bytes as a header value: any garbage must simply be refused or accepted.
    (void)channels::twilio_signature_valid(token, url, *params, body, algorithm);
  }
  (void)channels::twilio_signature_algorithm_from_settings(url);
  (void)channels::public_url(url, body);
  return 0;
}
