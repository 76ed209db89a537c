// The form parser every webhook body goes through (channels/form_body.hpp), and what reads
// the parsed fields of a Twilio webhook and an Open311 POST. Properties: never crashes, and a
// parsed body encoded again parses back to the same pairs.

#include "channels/form_body.hpp"
#include "channels/open311_query.hpp"
#include "channels/sms_inbound.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace civicline;
  const auto body = fuzz::as_text(data, size);
  const auto params = channels::parse_form_body(body);
  if (!params) {
    return 0;
  }
  const auto again = channels::parse_form_body(channels::encode_form_body(*params));
  CIVICLINE_FUZZ_CHECK(again && *again == *params);
  (void)channels::parse_twilio_inbound(*params);
  (void)channels::form_attributes(*params);
  (void)channels::parse_vonage_inbound("application/x-www-form-urlencoded", body);
  return 0;
}
