// Every parser in channels/ reads input an attacker controls. These cases feed them arbitrary
// bytes (a fixed seed, so failures reproduce) and check only that they return; run under the
// sanitizers (CMakePresets.json "asan") they also check memory safety.

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "channels/form_body.hpp"
#include "channels/sms_inbound.hpp"
#include "channels/sms_outbound.hpp"
#include "channels/twilio_rest.hpp"
#include "channels/twilio_signature.hpp"
#include "channels/twiml.hpp"
#include "channels/vonage_rest.hpp"

using namespace civicline::channels;

namespace {

/// Random strings built mostly from the characters each format gives meaning to.
class noise {
 public:
  explicit noise(std::string alphabet) : alphabet_(std::move(alphabet)) {}

  std::string next() {
    std::uniform_int_distribution<std::size_t> length(0, 64);
    std::uniform_int_distribution<int> pick(0, 9);
    std::uniform_int_distribution<std::size_t> from_alphabet(0, alphabet_.size() - 1);
    std::uniform_int_distribution<int> any_byte(0, 255);
    std::string text;
    for (std::size_t n = length(random_); n > 0; --n) {
      text += pick(random_) < 8 ? alphabet_[from_alphabet(random_)]
                                : static_cast<char>(any_byte(random_));
    }
    return text;
  }

 private:
  std::string alphabet_;
  std::mt19937 random_{20240611};
};

constexpr int rounds = 3000;

}  // namespace

TEST_CASE("form bodies of arbitrary bytes parse or are refused, and round-trip when parsed") {
  noise input("ab=&%+0F9z ");
  for (int i = 0; i < rounds; ++i) {
    const std::string body = input.next();
    if (const auto params = parse_form_body(body)) {
      CHECK(parse_form_body(encode_form_body(*params)) == params);
    }
  }
}

TEST_CASE("TwiML parsing survives arbitrary documents") {
  noise input("<>/!-[]CDATA&#x;Message Body Media amp lt");
  for (int i = 0; i < rounds; ++i) {
    const std::string xml = input.next();
    const auto messages = parse_twiml_messages(xml);
    // Whatever was read renders to a document that reads back the same.
    CHECK(parse_twiml_messages(render_twiml(messages)).size() == messages.size());
  }
}

TEST_CASE("rendered TwiML reads back the sanitised text of any reply") {
  noise input("ab<>&\"' \n\t\x01");
  for (int i = 0; i < rounds; ++i) {
    const std::string reply = input.next();
    const auto back = parse_twiml_messages(render_twiml({reply}));
    REQUIRE(back.size() == 1);
    CHECK(render_twiml(back) == render_twiml({reply}));
  }
}

TEST_CASE("Twilio signature checks survive arbitrary URLs and headers") {
  noise input("https:/?#@[]:0123456789abc%'. ");
  for (int i = 0; i < rounds; ++i) {
    const std::string url = input.next();
    const std::string header = input.next();
    CHECK_FALSE(twilio_signature_valid("tok", url, {{"Body", "x"}}, header));
    CHECK(twilio_signature_valid("tok", url, {{"Body", "x"}},
                                 twilio_signature("tok", url, {{"Body", "x"}})));
    (void)public_url(input.next(), url);
  }
}

TEST_CASE("inbound webhook parsers survive arbitrary input") {
  noise input("msisdn=messageId&text1+%2B{}\":,concat-reftrue");
  for (int i = 0; i < rounds; ++i) {
    const std::string body = input.next();
    (void)parse_vonage_inbound("application/x-www-form-urlencoded", body);
    (void)parse_vonage_inbound("application/json", body);
    form_params params{{"MessageSid", "SM1"},
                       {"From", input.next()},
                       {"Body", input.next()},
                       {"NumMedia", input.next()},
                       {"MediaUrl0", input.next()}};
    (void)parse_twilio_inbound(params);
  }
}

TEST_CASE("response classifiers survive arbitrary bodies") {
  noise input("{}[]\":,0123456789 messages status sid code message-id error-text");
  for (int i = 0; i < rounds; ++i) {
    const std::string body = input.next();
    const std::string header = input.next();
    for (const int status : {200, 201, 400, 429, 500}) {
      (void)classify_twilio_response(status, body, header);
      (void)classify_vonage_response(status, body, header);
    }
    (void)redact_phone_numbers(body);
    (void)fits_gsm_alphabet(body);
  }
}
