#include "channels/sms_outbound.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;
using std::chrono::seconds;

TEST_CASE("parse_retry_after reads delta-seconds") {
  CHECK(parse_retry_after("120") == seconds(120));
  CHECK(parse_retry_after("0") == seconds(0));
  CHECK(parse_retry_after(" 30 ") == seconds(30));
}

TEST_CASE("parse_retry_after caps very long waits at a day") {
  CHECK(parse_retry_after("86401") == max_retry_after);
  CHECK(parse_retry_after("99999999999999999999999") == max_retry_after);
}

TEST_CASE("parse_retry_after ignores a missing, dated or malformed header") {
  CHECK(parse_retry_after(std::nullopt) == std::nullopt);
  CHECK(parse_retry_after("") == std::nullopt);
  CHECK(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == std::nullopt);
  CHECK(parse_retry_after("-5") == std::nullopt);
  CHECK(parse_retry_after("1.5") == std::nullopt);
  CHECK(parse_retry_after("10s") == std::nullopt);
}

TEST_CASE("redact_phone_numbers hides numbers in any common notation") {
  CHECK(redact_phone_numbers("The 'To' number +15005550001 is not a valid phone number.") ==
        "The 'To' number [number] is not a valid phone number.");
  CHECK(redact_phone_numbers("to 15005550001, from +44 7700 900000") ==
        "to [number], from [number]");
  CHECK(redact_phone_numbers("call (555) 000-1111.") == "call ([number].");
  CHECK(redact_phone_numbers("whatsapp:+15550001111") == "whatsapp:[number]");
}

TEST_CASE("redact_phone_numbers keeps error codes, short codes and ordinary text") {
  CHECK(redact_phone_numbers("Error 21610: see https://www.twilio.com/docs/errors/21610") ==
        "Error 21610: see https://www.twilio.com/docs/errors/21610");
  CHECK(redact_phone_numbers("short code 311, 12:30") == "short code 311, 12:30");
  // A date looks like a number too; hiding it is the safe mistake.
  CHECK(redact_phone_numbers("on 2024-01-02") == "on [number]");
  CHECK(redact_phone_numbers("a + b - 12 34") == "a + b - 12 34");
  CHECK(redact_phone_numbers("") == "");
  CHECK(redact_phone_numbers("ends with 123 ") == "ends with 123 ");
}

TEST_CASE("redact_phone_numbers cuts long text without splitting a character") {
  const std::string long_text = std::string(299, 'x') + "é and more";
  const std::string redacted = redact_phone_numbers(long_text);
  CHECK(redacted == std::string(299, 'x') + "...");
  CHECK(redact_phone_numbers(std::string(300, 'y')) == std::string(300, 'y'));
  CHECK(redact_phone_numbers(std::string(301, 'y')) == std::string(300, 'y') + "...");
}
