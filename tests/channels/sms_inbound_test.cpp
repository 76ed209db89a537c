#include "channels/sms_inbound.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;

namespace {

form_params twilio_params() {
  return {
      {"ToCountry", "US"},
      {"SmsMessageSid", "SM0123456789abcdef0123456789abcdef"},
      {"NumMedia", "0"},
      {"SmsSid", "SM0123456789abcdef0123456789abcdef"},
      {"SmsStatus", "received"},
      {"Body", "Pothole on Main St & 5th"},
      {"To", "+15559998888"},
      {"NumSegments", "1"},
      {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
      {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
      {"From", "+15550001111"},
      {"ApiVersion", "2010-04-01"},
  };
}

void set_param(form_params& params, const std::string& name, const std::string& value) {
  for (auto& [key, existing] : params) {
    if (key == name) {
      existing = value;
      return;
    }
  }
  params.emplace_back(name, value);
}

void remove_param(form_params& params, const std::string& name) {
  std::erase_if(params, [&](const auto& param) { return param.first == name; });
}

sms_inbound twilio_ok(const form_params& params) {
  auto result = parse_twilio_inbound(params);
  if (const auto* error = std::get_if<sms_input_error>(&result)) {
    FAIL("unexpected error " << error->status << ": " << error->message);
  }
  return std::get<sms_inbound>(std::move(result));
}

sms_input_error twilio_error(const form_params& params) {
  auto result = parse_twilio_inbound(params);
  REQUIRE(std::holds_alternative<sms_input_error>(result));
  return std::get<sms_input_error>(std::move(result));
}

sms_inbound vonage_ok(std::string_view content_type, std::string_view body) {
  auto result = parse_vonage_inbound(content_type, body);
  if (const auto* error = std::get_if<sms_input_error>(&result)) {
    FAIL("unexpected error " << error->status << ": " << error->message);
  }
  return std::get<sms_inbound>(std::move(result));
}

sms_input_error vonage_error(std::string_view content_type, std::string_view body) {
  auto result = parse_vonage_inbound(content_type, body);
  REQUIRE(std::holds_alternative<sms_input_error>(result));
  return std::get<sms_input_error>(std::move(result));
}

const std::string form = "application/x-www-form-urlencoded";

}  // namespace

// --- is_sms_address ---------------------------------------------------------------------------

TEST_CASE("is_sms_address accepts phone numbers, short codes and sender IDs") {
  CHECK(is_sms_address("+15550001111"));
  CHECK(is_sms_address("+1"));
  CHECK(is_sms_address("+123456789012345"));
  CHECK(is_sms_address("15550001111"));
  CHECK(is_sms_address("311"));
  CHECK(is_sms_address("whatsapp:+15550001111"));
  CHECK(is_sms_address("messenger:123456789012345"));
  CHECK(is_sms_address("CITYHALL"));
  CHECK(is_sms_address("City Hall"));
  CHECK(is_sms_address("Vonage 311"));
}

TEST_CASE("is_sms_address rejects what no provider sends") {
  CHECK_FALSE(is_sms_address(""));
  CHECK_FALSE(is_sms_address("+"));
  CHECK_FALSE(is_sms_address("+1234567890123456"));  // 16 digits
  CHECK_FALSE(is_sms_address("++15550001111"));
  CHECK_FALSE(is_sms_address("+1 555 000 1111"));
  CHECK_FALSE(
      is_sms_address("123456789012"
                     "3456"));
  CHECK_FALSE(is_sms_address("A Very Long Sender"));  // over 11
  CHECK_FALSE(is_sms_address(" CITY"));
  CHECK_FALSE(is_sms_address("city\nhall"));
  CHECK_FALSE(is_sms_address("<script>"));
  CHECK_FALSE(is_sms_address("whatsapp:"));
  CHECK_FALSE(is_sms_address(":+15550001111"));
  CHECK_FALSE(is_sms_address("what's:+15550001111"));
  CHECK_FALSE(is_sms_address("a:b:+15550001111"));
}

// --- Twilio -----------------------------------------------------------------------------------

TEST_CASE("parse_twilio_inbound reads a real SMS webhook") {
  const sms_inbound sms = twilio_ok(twilio_params());
  CHECK(sms.provider == "twilio");
  CHECK(sms.message_id == "SM0123456789abcdef0123456789abcdef");
  CHECK(sms.account == "AC0123456789abcdef0123456789abcdef");
  CHECK(sms.from == "+15550001111");
  CHECK(sms.to == "+15559998888");
  CHECK(sms.body == "Pothole on Main St & 5th");
  CHECK(sms.media.empty());
  CHECK_FALSE(sms.concat);
}

TEST_CASE("parse_twilio_inbound reads an MMS with media and an empty body") {
  form_params params = twilio_params();
  set_param(params, "MessageSid", "MM0123456789abcdef0123456789abcdef");
  set_param(params, "Body", "");
  set_param(params, "NumMedia", "2");
  set_param(params, "MediaUrl0",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1");
  set_param(params, "MediaContentType0", "image/jpeg");
  set_param(params, "MediaUrl1",
            "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME2");
  set_param(params, "MediaContentType1", "image/png");
  const sms_inbound sms = twilio_ok(params);
  CHECK(sms.body.empty());
  REQUIRE(sms.media.size() == 2);
  CHECK(sms.media[0].url.ends_with("/ME1"));
  CHECK(sms.media[0].content_type == "image/jpeg");
  CHECK(sms.media[1].content_type == "image/png");
}

TEST_CASE("parse_twilio_inbound keeps a WhatsApp sender as given") {
  form_params params = twilio_params();
  set_param(params, "From", "whatsapp:+15550001111");
  set_param(params, "To", "whatsapp:+15559998888");
  const sms_inbound sms = twilio_ok(params);
  CHECK(sms.from == "whatsapp:+15550001111");
  CHECK(sms.to == "whatsapp:+15559998888");
}

TEST_CASE("parse_twilio_inbound allows a missing AccountSid and To") {
  form_params params = twilio_params();
  remove_param(params, "AccountSid");
  remove_param(params, "To");
  remove_param(params, "NumMedia");
  const sms_inbound sms = twilio_ok(params);
  CHECK(sms.account.empty());
  CHECK(sms.to.empty());
}

TEST_CASE("parse_twilio_inbound keeps the body exactly, including invalid UTF-8") {
  form_params params = twilio_params();
  set_param(params, "Body", "  two  spaces \xFF\n");
  CHECK(twilio_ok(params).body == "  two  spaces \xFF\n");
}

TEST_CASE("parse_twilio_inbound uses the first value of a repeated field") {
  form_params params = twilio_params();
  params.emplace_back("Body", "second");
  CHECK(twilio_ok(params).body == "Pothole on Main St & 5th");
}

TEST_CASE("parse_twilio_inbound requires MessageSid") {
  form_params params = twilio_params();
  remove_param(params, "MessageSid");
  auto error = twilio_error(params);
  CHECK(error.status == 400);
  CHECK(error.message.find("MessageSid") != std::string::npos);
  set_param(params, "MessageSid", "");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "MessageSid", "SM../../etc");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "MessageSid", std::string(65, 'a'));
  CHECK(twilio_error(params).status == 400);
}

TEST_CASE("parse_twilio_inbound rejects a malformed AccountSid") {
  form_params params = twilio_params();
  set_param(params, "AccountSid", "AC 1");
  CHECK(twilio_error(params).status == 400);
}

TEST_CASE("parse_twilio_inbound requires a phone-like From") {
  form_params params = twilio_params();
  remove_param(params, "From");
  auto error = twilio_error(params);
  CHECK(error.status == 400);
  CHECK(error.message.find("From") != std::string::npos);
  set_param(params, "From", "");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "From", "+1 (555) 000-1111");
  error = twilio_error(params);
  CHECK(error.status == 400);
  CHECK(error.message.find("E.164") != std::string::npos);
  CHECK(error.message.find("000-1111") == std::string::npos);  // never echoes the number
}

TEST_CASE("parse_twilio_inbound rejects a malformed To") {
  form_params params = twilio_params();
  set_param(params, "To", "not a number at all");
  CHECK(twilio_error(params).status == 400);
}

TEST_CASE("parse_twilio_inbound refuses a message with neither body nor media") {
  form_params params = twilio_params();
  set_param(params, "Body", "");
  CHECK(twilio_error(params).status == 422);
  remove_param(params, "Body");
  CHECK(twilio_error(params).status == 422);
}

TEST_CASE("parse_twilio_inbound accepts a long body and refuses one over 64 KiB") {
  form_params params = twilio_params();
  set_param(params, "Body", std::string(max_sms_body_bytes, 'x'));
  CHECK(twilio_ok(params).body.size() == max_sms_body_bytes);
  set_param(params, "Body", std::string(max_sms_body_bytes + 1, 'x'));
  const auto error = twilio_error(params);
  CHECK(error.status == 413);
  CHECK(error.message.find("Body") != std::string::npos);
}

TEST_CASE("parse_twilio_inbound rejects a NumMedia that is not 0..10") {
  form_params params = twilio_params();
  for (const char* bad : {"-1", "11", "1000000000000", "one", "1.0", " 1", "+1", "0x1", "1 "}) {
    INFO(bad);
    set_param(params, "NumMedia", bad);
    CHECK(twilio_error(params).status == 400);
  }
}

TEST_CASE("parse_twilio_inbound accepts 10 media items") {
  form_params params = twilio_params();
  set_param(params, "NumMedia", "10");
  for (int i = 0; i < 10; ++i) {
    set_param(params, "MediaUrl" + std::to_string(i), "https://media.example/" + std::to_string(i));
  }
  const sms_inbound sms = twilio_ok(params);
  REQUIRE(sms.media.size() == 10);
  CHECK(sms.media[9].url == "https://media.example/9");
  CHECK(sms.media[9].content_type.empty());
}

TEST_CASE("parse_twilio_inbound requires an http(s) MediaUrlN for each media item") {
  form_params params = twilio_params();
  set_param(params, "NumMedia", "2");
  set_param(params, "MediaUrl0", "https://media.example/0");
  auto error = twilio_error(params);  // MediaUrl1 missing
  CHECK(error.status == 400);
  CHECK(error.message.find("MediaUrl1") != std::string::npos);
  set_param(params, "MediaUrl1", "file:///etc/passwd");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "MediaUrl1", "javascript:alert(1)");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "MediaUrl1", "https://media.example/a b");
  CHECK(twilio_error(params).status == 400);
  set_param(params, "MediaUrl1", "http://media.example/1");
  CHECK(twilio_ok(params).media.size() == 2);
}

TEST_CASE("parse_twilio_inbound ignores media beyond NumMedia") {
  form_params params = twilio_params();
  set_param(params, "MediaUrl0", "https://media.example/0");
  CHECK(twilio_ok(params).media.empty());
}

// --- Vonage -----------------------------------------------------------------------------------

TEST_CASE("parse_vonage_inbound reads a form webhook and adds '+' to numbers") {
  const sms_inbound sms = vonage_ok(
      form,
      "msisdn=15550001111&to=15559998888&messageId=0A0000000123ABCD1&text=Hello+there"
      "&type=text&keyword=HELLO&api-key=abcd1234&message-timestamp=2024-01-02+03%3A04%3A05");
  CHECK(sms.provider == "vonage");
  CHECK(sms.message_id == "0A0000000123ABCD1");
  CHECK(sms.account == "abcd1234");
  CHECK(sms.from == "+15550001111");
  CHECK(sms.to == "+15559998888");
  CHECK(sms.body == "Hello there");
  CHECK(sms.media.empty());
  CHECK_FALSE(sms.concat);
}

TEST_CASE("parse_vonage_inbound treats an empty content type as a form (a GET's query)") {
  const sms_inbound sms = vonage_ok("", "msisdn=15550001111&to=15559998888&messageId=ID1&text=hi");
  CHECK(sms.body == "hi");
}

TEST_CASE("parse_vonage_inbound reads a JSON webhook") {
  const sms_inbound sms = vonage_ok("application/json; charset=UTF-8", R"({
    "msisdn": "447700900001", "to": "447700900000", "messageId": "0A0000001234567B",
    "text": "Farola rota en la calle Mayor 🚧", "type": "unicode", "keyword": "FAROLA",
    "api-key": "abcd1234", "message-timestamp": "2020-01-01 12:00:00"})");
  CHECK(sms.from == "+447700900001");
  CHECK(sms.to == "+447700900000");
  CHECK(sms.body == "Farola rota en la calle Mayor 🚧");
}

TEST_CASE("parse_vonage_inbound keeps numbers that already have '+' and sender IDs as given") {
  CHECK(vonage_ok(form, "msisdn=%2B15550001111&messageId=ID1&text=hi").from == "+15550001111");
  CHECK(vonage_ok(form, "msisdn=CITYHALL&messageId=ID1&text=hi").from == "CITYHALL");
}

TEST_CASE("parse_vonage_inbound reads concat fields given as strings or numbers") {
  const sms_inbound from_form =
      vonage_ok(form,
                "msisdn=15550001111&to=15559998888&messageId=ID2&text=part+two&concat=true"
                "&concat-ref=108&concat-total=3&concat-part=2");
  REQUIRE(from_form.concat);
  CHECK(from_form.concat->reference == "108");
  CHECK(from_form.concat->total == 3);
  CHECK(from_form.concat->part == 2);

  const sms_inbound from_json = vonage_ok(
      "application/json", R"({"msisdn":"15550001111","messageId":"ID3","text":"x","concat":true,)"
                          R"("concat-ref":108,"concat-total":3,"concat-part":"3"})");
  REQUIRE(from_json.concat);
  CHECK(from_json.concat->reference == "108");
  CHECK(from_json.concat->part == 3);

  const sms_inbound string_flag = vonage_ok(
      "application/json", R"({"msisdn":"15550001111","messageId":"ID3","text":"x","concat":"true",)"
                          R"("concat-ref":"7","concat-total":"2","concat-part":1})");
  REQUIRE(string_flag.concat);
  CHECK(string_flag.concat->total == 2);
}

TEST_CASE("parse_vonage_inbound ignores concat fields unless concat is true") {
  CHECK_FALSE(
      vonage_ok(form, "msisdn=1555&messageId=ID1&text=hi&concat=false&concat-part=9").concat);
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1&text=hi&concat=yes").status == 400);
}

TEST_CASE("parse_vonage_inbound rejects inconsistent concat fields") {
  const std::string base = "msisdn=15550001111&messageId=ID1&text=x&concat=true";
  CHECK(vonage_error(form, base + "&concat-total=2&concat-part=1").status == 400);  // no ref
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-part=1").status == 400);    // no total
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=2").status == 400);   // no part
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=2&concat-part=3").status == 400);
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=2&concat-part=0").status == 400);
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=0&concat-part=0").status == 400);
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=256&concat-part=1").status == 400);
  CHECK(vonage_error(form, base + "&concat-ref=1&concat-total=two&concat-part=1").status == 400);
  CHECK(vonage_error("application/json",
                     R"({"msisdn":"1555","messageId":"ID1","text":"x","concat":true,)"
                     R"("concat-ref":1,"concat-total":2.5,"concat-part":1})")
            .status == 400);
}

TEST_CASE("parse_vonage_inbound accepts an empty part of a multipart message") {
  const sms_inbound sms = vonage_ok(form,
                                    "msisdn=1555&messageId=ID1&text=&concat=true&concat-ref=1"
                                    "&concat-total=2&concat-part=2");
  CHECK(sms.body.empty());
}

TEST_CASE("parse_vonage_inbound requires messageId and msisdn") {
  auto error = vonage_error(form, "msisdn=15550001111&text=hi");
  CHECK(error.status == 400);
  CHECK(error.message.find("messageId") != std::string::npos);
  error = vonage_error(form, "messageId=ID1&text=hi");
  CHECK(error.status == 400);
  CHECK(error.message.find("msisdn") != std::string::npos);
  CHECK(vonage_error(form, "msisdn=1+555&messageId=ID1&text=hi").status == 400);
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID+1&text=hi").status == 400);
  CHECK(vonage_error(form, "msisdn=1555&to=%3Cx%3E&messageId=ID1&text=hi").status == 400);
}

TEST_CASE("parse_vonage_inbound refuses empty, binary and oversized messages") {
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1&text=").status == 422);
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1").status == 422);
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1&type=binary&data=0102&udh=0500").status ==
        422);
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1&text=x&type=wap").status == 400);
  const auto error = vonage_error(
      form, "msisdn=1555&messageId=ID1&text=" + std::string(max_sms_body_bytes + 1, 'x'));
  CHECK(error.status == 413);
}

TEST_CASE("parse_vonage_inbound rejects bodies it cannot read") {
  CHECK(vonage_error(form, "msisdn=1555&messageId=ID1&text=100%").status == 400);
  CHECK(vonage_error("application/json", "{not json").status == 400);
  CHECK(vonage_error("application/json", R"(["msisdn"])").status == 400);
  CHECK(vonage_error("application/json", "").status == 400);
  CHECK(vonage_error("text/plain", "msisdn=1555&messageId=ID1&text=hi").status == 415);
  CHECK(vonage_error("multipart/form-data; boundary=x", "").status == 415);
}

TEST_CASE("parse_vonage_inbound reads the content type case-insensitively") {
  CHECK(vonage_ok("Application/X-WWW-Form-Urlencoded; charset=utf-8",
                  "msisdn=1555&messageId=ID1&text=hi")
            .body == "hi");
  CHECK(vonage_ok("APPLICATION/JSON", R"({"msisdn":"1555","messageId":"ID1","text":"hi"})").body ==
        "hi");
}

TEST_CASE("parse_vonage_inbound reads JSON integers as their digits and ignores other types") {
  CHECK(vonage_ok("application/json", R"({"msisdn":15550001111,"messageId":"ID1","text":"hi"})")
            .from == "+15550001111");
  CHECK(
      vonage_error("application/json", R"({"msisdn":1.5,"messageId":"ID1","text":"hi"})").status ==
      400);
  CHECK(vonage_error("application/json", R"({"msisdn":"1555","messageId":"ID1","text":{"a":1}})")
            .status == 422);
}

// --- join_concat_parts ------------------------------------------------------------------------

TEST_CASE("join_concat_parts joins all parts in part order") {
  CHECK(join_concat_parts({{2, "lo wor"}, {3, "ld"}, {1, "Hel"}}, 3) == "Hello world");
  CHECK(join_concat_parts({{1, "only"}}, 1) == "only");
  CHECK(join_concat_parts({{1, ""}, {2, "x"}}, 2) == "x");
}

TEST_CASE("join_concat_parts waits until every part has arrived") {
  CHECK(join_concat_parts({{1, "Hel"}, {3, "ld"}}, 3) == std::nullopt);
  CHECK(join_concat_parts({}, 2) == std::nullopt);
  CHECK(join_concat_parts({{1, "a"}, {1, "a"}}, 2) == std::nullopt);
}

TEST_CASE("join_concat_parts counts a repeated part once and ignores parts out of range") {
  CHECK(join_concat_parts({{1, "a"}, {1, "again"}, {2, "b"}}, 2) == "ab");
  CHECK(join_concat_parts({{0, "zero"}, {1, "a"}, {3, "three"}, {2, "b"}, {-1, "neg"}}, 2) == "ab");
}

TEST_CASE("join_concat_parts refuses an impossible total") {
  CHECK(join_concat_parts({{1, "a"}}, 0) == std::nullopt);
  CHECK(join_concat_parts({{1, "a"}}, -3) == std::nullopt);
  CHECK(join_concat_parts({{1, "a"}}, max_sms_concat_parts + 1) == std::nullopt);
}
