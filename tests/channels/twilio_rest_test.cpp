#include "channels/twilio_rest.hpp"

#include <catch2/catch.hpp>

#include "channels/form_body.hpp"

using namespace civicline::channels;
using std::chrono::seconds;

namespace {

twilio_credentials credentials() {
  return {"https://api.twilio.com", "AC0123456789abcdef0123456789abcdef", "auth-token-1",
          "+15559998888", ""};
}

std::string header(const provider_request& request, std::string_view name) {
  for (const auto& [key, value] : request.headers) {
    if (key == name) {
      return value;
    }
  }
  return "<missing>";
}

// A real error body from Twilio's REST API, with the number as Twilio writes it.
const std::string invalid_to_body =
    R"({"code": 21211, "message": "Invalid 'To' Phone Number: +1500555000X", )"
    R"("more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})";

}  // namespace

TEST_CASE("twilio_send_request posts a form to the account's Messages resource") {
  const auto request =
      twilio_send_request(credentials(), {"+15550001111", "Thanks & bye! 🚧", std::nullopt});
  CHECK(request.method == "POST");
  CHECK(request.target_url ==
        "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/"
        "Messages.json");
  CHECK(header(request, "Content-Type") == "application/x-www-form-urlencoded");
  CHECK(header(request, "Accept") == "application/json");
  const auto form = parse_form_body(request.body);
  REQUIRE(form);
  CHECK(*form ==
        form_params{{"To", "+15550001111"}, {"From", "+15559998888"}, {"Body", "Thanks & bye! 🚧"}});
}

TEST_CASE("twilio_send_request authenticates with Basic account SID and auth token") {
  twilio_credentials creds = credentials();
  creds.account_sid = "ACxyz";
  creds.auth_token = "secret";
  const auto request = twilio_send_request(creds, {"+15550001111", "hi", std::nullopt});
  CHECK(header(request, "Authorization") == "Basic QUN4eXo6c2VjcmV0");  // base64("ACxyz:secret")
}

TEST_CASE("twilio_send_request prefers the messaging service over From") {
  twilio_credentials creds = credentials();
  creds.messaging_service_sid = "MG0123456789abcdef0123456789abcdef";
  const auto form =
      parse_form_body(twilio_send_request(creds, {"+15550001111", "hi", std::nullopt}).body);
  REQUIRE(form);
  CHECK(form_value(*form, "MessagingServiceSid") != nullptr);
  CHECK(*form_value(*form, "MessagingServiceSid") == "MG0123456789abcdef0123456789abcdef");
  CHECK(form_value(*form, "From") == nullptr);
}

TEST_CASE("twilio_send_request asks for status callbacks when a URL is given") {
  const auto form = parse_form_body(
      twilio_send_request(credentials(),
                          {"+15550001111", "hi", "https://city.example/sms/twilio/status?id=42"})
          .body);
  REQUIRE(form);
  REQUIRE(form_value(*form, "StatusCallback") != nullptr);
  CHECK(*form_value(*form, "StatusCallback") == "https://city.example/sms/twilio/status?id=42");
}

TEST_CASE("twilio_send_request joins the base URL without doubling slashes") {
  twilio_credentials creds = credentials();
  creds.api_base_url = "http://127.0.0.1:8089/";
  creds.account_sid = "AC1";
  CHECK(twilio_send_request(creds, {"+1", "x", std::nullopt}).target_url ==
        "http://127.0.0.1:8089/2010-04-01/Accounts/AC1/Messages.json");
  creds.account_sid = "AC/../x y";
  CHECK(twilio_send_request(creds, {"+1", "x", std::nullopt}).target_url ==
        "http://127.0.0.1:8089/2010-04-01/Accounts/AC%2F..%2Fx%20y/Messages.json");
}

TEST_CASE("classify_twilio_response: a created message is sent") {
  const auto outcome = classify_twilio_response(
      201, R"({"sid": "SM0123456789abcdef0123456789abcdef", "status": "queued"})", std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::sent);
  CHECK(outcome.provider_message_id == "SM0123456789abcdef0123456789abcdef");
  CHECK(outcome.provider_error_code == 0);
  CHECK_FALSE(outcome.retry_after);
}

TEST_CASE("classify_twilio_response: 2xx without a sid is not retried") {
  for (const char* body : {"", "{}", "not json", R"({"sid": 5})", R"({"sid": ""})", "[]"}) {
    INFO(body);
    const auto outcome = classify_twilio_response(200, body, std::nullopt);
    CHECK(outcome.kind == send_outcome_kind::permanent_failure);
    CHECK(outcome.detail.find("may have been sent") != std::string::npos);
  }
}

TEST_CASE("classify_twilio_response: rate limits and outages are retried") {
  const auto limited = classify_twilio_response(
      429, R"({"code": 20429, "message": "Too Many Requests", "status": 429})", "30");
  CHECK(limited.kind == send_outcome_kind::retry_later);
  CHECK(limited.provider_error_code == 20429);
  CHECK(limited.retry_after == seconds(30));
  CHECK(limited.detail == "Twilio answered HTTP 429: Too Many Requests");

  for (const int status : {500, 502, 503, 504, 408}) {
    INFO(status);
    const auto outcome = classify_twilio_response(status, "<html>Bad Gateway</html>", std::nullopt);
    CHECK(outcome.kind == send_outcome_kind::retry_later);
    CHECK_FALSE(outcome.retry_after);
    CHECK(outcome.detail == "Twilio answered HTTP " + std::to_string(status));
  }
  CHECK(classify_twilio_response(503, "", "Wed, 21 Oct 2015 07:28:00 GMT").retry_after ==
        std::nullopt);
}

TEST_CASE("classify_twilio_response: error 21610 means the recipient opted out") {
  const auto outcome = classify_twilio_response(
      400,
      R"({"code": 21610, "message": "Attempt to send to unsubscribed recipient", )"
      R"("more_info": "https://www.twilio.com/docs/errors/21610", "status": 400})",
      std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::recipient_opted_out);
  CHECK(outcome.provider_error_code == 21610);
  CHECK(outcome.detail.find("unsubscribed") != std::string::npos);
}

TEST_CASE("classify_twilio_response: other client errors are permanent, without the number") {
  const auto outcome = classify_twilio_response(400, invalid_to_body, std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::permanent_failure);
  CHECK(outcome.provider_error_code == 21211);
  CHECK(outcome.detail == "Twilio answered HTTP 400: Invalid 'To' Phone Number: [number]X");
  CHECK(outcome.detail.find("555") == std::string::npos);

  const auto unauthorized = classify_twilio_response(
      401, R"({"code": 20003, "message": "Authenticate", "status": 401})", std::nullopt);
  CHECK(unauthorized.kind == send_outcome_kind::permanent_failure);
  CHECK(unauthorized.provider_error_code == 20003);

  CHECK(classify_twilio_response(404, "", std::nullopt).kind ==
        send_outcome_kind::permanent_failure);
}

TEST_CASE("classify_twilio_response: 21610 only counts on a client error") {
  CHECK(classify_twilio_response(500, R"({"code": 21610})", std::nullopt).kind ==
        send_outcome_kind::retry_later);
}

TEST_CASE("classify_twilio_response: an unexpected status is permanent") {
  CHECK(classify_twilio_response(301, "", std::nullopt).kind ==
        send_outcome_kind::permanent_failure);
  CHECK(classify_twilio_response(0, "", std::nullopt).kind == send_outcome_kind::permanent_failure);
}
