// Standard Webhooks signatures: the specification's test vector, rotation and secrets.

#include "channels/standard_webhooks.hpp"

#include <sodium.h>

#include <catch2/catch.hpp>

namespace channels = civicline::channels;

namespace {

// From the standardwebhooks npm package's own tests.
constexpr const char* vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* vector_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t vector_timestamp = 1614265330;
constexpr const char* vector_body = R"({"test": 2432232314})";
constexpr const char* vector_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

}  // namespace

TEST_CASE("a webhook is signed exactly as the Standard Webhooks test vector says") {
  REQUIRE(sodium_init() >= 0);
  CHECK(channels::sign_webhook(vector_secret, vector_id, vector_timestamp, vector_body) ==
        std::optional<std::string>(vector_signature));
}

TEST_CASE("any change to id, timestamp or body changes the signature") {
  const auto good = channels::sign_webhook(vector_secret, vector_id, vector_timestamp, vector_body);
  CHECK(channels::sign_webhook(vector_secret, "msg_other", vector_timestamp, vector_body) != good);
  CHECK(channels::sign_webhook(vector_secret, vector_id, vector_timestamp + 1, vector_body) !=
        good);
  CHECK(channels::sign_webhook(vector_secret, vector_id, vector_timestamp, R"({"test": 1})") !=
        good);
}

TEST_CASE("during a rotation both secrets sign, space-separated, new one first") {
  REQUIRE(sodium_init() >= 0);
  const std::string fresh = channels::new_webhook_secret();
  const auto header = channels::webhook_signature_header({fresh, vector_secret}, vector_id,
                                                         vector_timestamp, vector_body);
  const auto space = header.find(' ');
  REQUIRE(space != std::string::npos);
  CHECK(header.substr(0, space) ==
        *channels::sign_webhook(fresh, vector_id, vector_timestamp, vector_body));
  CHECK(header.substr(space + 1) == vector_signature);
}

TEST_CASE("new secrets are whsec_ with 32 random bytes, each one different") {
  REQUIRE(sodium_init() >= 0);
  const auto a = channels::new_webhook_secret();
  const auto b = channels::new_webhook_secret();
  CHECK(a.starts_with("whsec_"));
  CHECK(a.size() == 6 + 44);  // base64 of 32 bytes
  CHECK(a != b);
  CHECK(channels::is_webhook_secret(a));
}

TEST_CASE("a malformed secret signs nothing") {
  CHECK_FALSE(channels::sign_webhook("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "m", 1, "{}"));
  CHECK_FALSE(channels::sign_webhook("whsec_not base64!", "m", 1, "{}"));
  CHECK_FALSE(channels::sign_webhook("whsec_c2hvcnQ=", "m", 1, "{}"));  // 5 bytes: too short
  CHECK(channels::webhook_signature_header({"whsec_bad", vector_secret}, vector_id,
                                           vector_timestamp, vector_body) == vector_signature);
}
