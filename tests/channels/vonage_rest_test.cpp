#include "channels/vonage_rest.hpp"

#include <catch2/catch.hpp>

#include "channels/form_body.hpp"

using namespace civicline::channels;
using std::chrono::seconds;

namespace {

vonage_credentials credentials() {
  vonage_credentials creds;
  creds.api_key = "abcd1234";
  creds.api_secret = "s3cr3t&=";
  creds.from = "+15559998888";
  return creds;
}

std::string response(std::string_view status, std::string_view extra = "") {
  return R"({"message-count": "1", "messages": [{"to": "447700900000", )"
         R"("message-id": "0A0000000123ABCD1", "status": ")" +
         std::string(status) + "\"" + std::string(extra) + "}]}";
}

}  // namespace

TEST_CASE("fits_gsm_alphabet accepts the GSM 03.38 basic set and extension table") {
  CHECK(fits_gsm_alphabet("Hello, world! 123 @£$¥ èéùìò ÄÖÑÜ§¿äöñüà ΔΦΓΛΩΠΨΣΘΞ"));
  CHECK(fits_gsm_alphabet("Your ticket: 311-000123 (see https://city.example/~x?a=1&b=[2])"));
  CHECK(fits_gsm_alphabet("price: 5€ {ok} ^ | \\"));
  CHECK(fits_gsm_alphabet("line\nbreak\r"));
  CHECK(fits_gsm_alphabet(""));
}

TEST_CASE("fits_gsm_alphabet refuses characters outside it") {
  CHECK_FALSE(fits_gsm_alphabet("🚧"));
  CHECK_FALSE(fits_gsm_alphabet("á"));  // only à, é... are in the basic set
  CHECK_FALSE(fits_gsm_alphabet("ç"));  // only the capital Ç is
  CHECK_FALSE(fits_gsm_alphabet("“quoted”"));
  CHECK_FALSE(fits_gsm_alphabet("tab\there"));
  CHECK_FALSE(fits_gsm_alphabet("`"));
  CHECK_FALSE(fits_gsm_alphabet("\xFF"));
}

TEST_CASE("vonage_send_request posts a form to /sms/json with the key and secret") {
  const auto request = vonage_send_request(
      credentials(), {"+447700900000", "Thanks! Ticket 311-000123", std::nullopt});
  CHECK(request.method == "POST");
  CHECK(request.target_url == "https://rest.nexmo.com/sms/json");
  const auto form = parse_form_body(request.body);
  REQUIRE(form);
  CHECK(*form == form_params{{"api_key", "abcd1234"},
                             {"api_secret", "s3cr3t&="},
                             {"from", "15559998888"},
                             {"to", "447700900000"},
                             {"text", "Thanks! Ticket 311-000123"}});
  bool has_content_type = false;
  for (const auto& [name, value] : request.headers) {
    has_content_type |= name == "Content-Type" && value == "application/x-www-form-urlencoded";
    CHECK(name != "Authorization");
  }
  CHECK(has_content_type);
}

TEST_CASE("vonage_send_request sends non-GSM text as unicode") {
  const auto form = parse_form_body(
      vonage_send_request(credentials(), {"+447700900000", "Gracias, José 🚧", std::nullopt}).body);
  REQUIRE(form);
  REQUIRE(form_value(*form, "type") != nullptr);
  CHECK(*form_value(*form, "type") == "unicode");
  CHECK(*form_value(*form, "text") == "Gracias, José 🚧");
}

TEST_CASE("vonage_send_request asks for a delivery receipt at the callback URL") {
  const auto form =
      parse_form_body(vonage_send_request(credentials(), {"+447700900000", "hi",
                                                          "https://city.example/sms/vonage/status"})
                          .body);
  REQUIRE(form);
  CHECK(*form_value(*form, "status-report-req") == "1");
  CHECK(*form_value(*form, "callback") == "https://city.example/sms/vonage/status");
  CHECK(form_value(*form, "type") == nullptr);
}

TEST_CASE("vonage_send_request uses the configured base URL, or Vonage's") {
  vonage_credentials creds = credentials();
  creds.api_base_url = "http://127.0.0.1:9000/";
  CHECK(vonage_send_request(creds, {"+1", "x", std::nullopt}).target_url ==
        "http://127.0.0.1:9000/sms/json");
  creds.api_base_url.clear();
  CHECK(vonage_send_request(creds, {"+1", "x", std::nullopt}).target_url ==
        "https://rest.nexmo.com/sms/json");
  creds.from = "CITYHALL";
  const auto form = parse_form_body(vonage_send_request(creds, {"1555", "x", std::nullopt}).body);
  CHECK(*form_value(*form, "from") == "CITYHALL");
  CHECK(*form_value(*form, "to") == "1555");
}

TEST_CASE("classify_vonage_response: status 0 is sent, with the message id") {
  const auto outcome = classify_vonage_response(
      200, response("0", R"(, "remaining-balance": "15.5", "network": "23410")"), std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::sent);
  CHECK(outcome.provider_message_id == "0A0000000123ABCD1");
  CHECK(outcome.provider_error_code == 0);
}

TEST_CASE("classify_vonage_response: a multipart message is sent when every part is") {
  const std::string two_parts =
      R"({"message-count": "2", "messages": [)"
      R"({"message-id": "PART1", "status": "0"}, {"message-id": "PART2", "status": 0}]})";
  const auto outcome = classify_vonage_response(200, two_parts, std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::sent);
  CHECK(outcome.provider_message_id == "PART1");

  const std::string second_failed =
      R"({"message-count": "2", "messages": [)"
      R"({"message-id": "PART1", "status": "0"}, {"status": "1", "error-text": "Throttled"}]})";
  CHECK(classify_vonage_response(200, second_failed, std::nullopt).kind ==
        send_outcome_kind::retry_later);
}

TEST_CASE("classify_vonage_response: passing problems are retried") {
  for (const char* status : {"1", "5", "9", "10"}) {
    INFO(status);
    const auto outcome = classify_vonage_response(200, response(status), "15");
    CHECK(outcome.kind == send_outcome_kind::retry_later);
    CHECK(outcome.provider_error_code == std::stoi(status));
    CHECK(outcome.retry_after == seconds(15));
  }
  for (const int http : {429, 500, 503}) {
    INFO(http);
    CHECK(classify_vonage_response(http, "", std::nullopt).kind == send_outcome_kind::retry_later);
  }
}

TEST_CASE("classify_vonage_response: a barred number means the recipient opted out") {
  const auto outcome = classify_vonage_response(
      200, response("7", R"(, "error-text": "Number barred.")"), std::nullopt);
  CHECK(outcome.kind == send_outcome_kind::recipient_opted_out);
  CHECK(outcome.provider_error_code == 7);
  CHECK(outcome.detail == "Vonage status 7: Number barred.");
}

TEST_CASE("classify_vonage_response: other statuses are permanent, without the number") {
  for (const char* status : {"2", "3", "4", "6", "8", "11", "12", "14", "15", "16", "19", "20",
                             "23", "29", "34", "99"}) {
    INFO(status);
    CHECK(classify_vonage_response(200, response(status), std::nullopt).kind ==
          send_outcome_kind::permanent_failure);
  }
  const auto outcome = classify_vonage_response(
      200, response("29", R"(, "error-text": "Non White-listed Destination - 447700900000")"),
      std::nullopt);
  CHECK(outcome.provider_error_code == 29);
  CHECK(outcome.detail == "Vonage status 29: Non White-listed Destination - [number]");
}

TEST_CASE("classify_vonage_response: an unreadable 2xx is not retried") {
  for (const char* body : {"", "nope", "{}", R"({"messages": []})", R"({"messages": {}})"}) {
    INFO(body);
    const auto outcome = classify_vonage_response(200, body, std::nullopt);
    CHECK(outcome.kind == send_outcome_kind::permanent_failure);
    CHECK(outcome.detail.find("may have been sent") != std::string::npos);
  }
  CHECK(classify_vonage_response(
            200, response("0").replace(response("0").find("message-id"), 10, "id"), std::nullopt)
            .kind == send_outcome_kind::permanent_failure);
  // A status we cannot read is treated as an error, not as success.
  CHECK(
      classify_vonage_response(200, R"({"messages": [{"message-id": "X"}]})", std::nullopt).kind ==
      send_outcome_kind::permanent_failure);
}

TEST_CASE("classify_vonage_response: other HTTP errors are permanent") {
  for (const int http : {400, 401, 403, 404, 301}) {
    INFO(http);
    CHECK(classify_vonage_response(http, "", std::nullopt).kind ==
          send_outcome_kind::permanent_failure);
  }
}
