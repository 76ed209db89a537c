#include "channels/twilio_signature.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;

// Unless stated otherwise, the expected signatures below were produced with the twilio npm SDK
// pinned in tests/package-lock.json (6.3.1):
//   cd tests && node -e "const t = require('twilio');
//     console.log(t.getExpectedTwilioSignature(token, url, params))"
// (with an object for params; a repeated name is an array), and each "valid" case was checked
// with t.validateRequest(token, signature, url, params).

namespace {

const form_params sms_params{
    {"MessageSid", "SM0123456789abcdef0123456789abcdef"},
    {"AccountSid", "AC0123456789abcdef0123456789abcdef"},
    {"From", "+15550001111"},
    {"To", "+15559998888"},
    {"Body", "Pothole on Main St 🚧 — ñandú café"},
    {"NumMedia", "0"},
};

const form_params small_params{{"Body", "x"}, {"From", "+15550001111"}};

}  // namespace

TEST_CASE("twilio_signature matches Twilio's documented example") {
  // From Twilio's security documentation; the SDK gives the same.
  const form_params params{{"CallSid", "CA1234567890ABCDE"},
                           {"Caller", "+14158675309"},
                           {"Digits", "1234"},
                           {"From", "+14158675309"},
                           {"To", "+18005551212"}};
  CHECK(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) ==
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST_CASE("twilio_signature does not depend on the order params arrived in") {
  const form_params params{{"To", "+18005551212"},
                           {"From", "+14158675309"},
                           {"Digits", "1234"},
                           {"Caller", "+14158675309"},
                           {"CallSid", "CA1234567890ABCDE"}};
  CHECK(twilio_signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params) ==
        "RSOYDt4T1cUTdK1PDd93/VVr8B8=");
}

TEST_CASE("twilio_signature signs UTF-8 bodies byte for byte") {
  CHECK(twilio_signature("secret-token", "https://city.example/sms/twilio", sms_params) ==
        "pByEku/thtoS9RihB6aZkuQRB+A=");
}

TEST_CASE("twilio_signature includes empty values and WhatsApp senders") {
  const form_params params{
      {"MessageSid", "MM0123456789abcdef0123456789abcdef"},
      {"From", "whatsapp:+15550001111"},
      {"To", "+15559998888"},
      {"Body", ""},
      {"NumMedia", "1"},
      {"MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"},
      {"MediaContentType0", "image/jpeg"},
  };
  CHECK(twilio_signature("secret-token", "https://city.example/sms/twilio", params) ==
        "Sv+KQLoIn0IFEkz8/EheKARWWcw=");
}

TEST_CASE("twilio_signature signs decoded values: '+' in numbers, '&' and '%' in bodies") {
  const form_params params{{"From", "+1 555 000 1111"}, {"Body", "a+b=c & d%20e"}, {"To", ""}};
  CHECK(twilio_signature("tok", "https://city.example/sms/twilio?x=1&y=a+b", params) ==
        "Q+8HZuyvTa/1cr/DYw4IBeoa8Yc=");
}

TEST_CASE("twilio_signature with no params signs the URL alone") {
  CHECK(twilio_signature("tok", "https://city.example/sms/twilio", {}) ==
        "38ziLNT1bRqMLj69jVEYiMuvcmA=");
}

TEST_CASE("twilio_signature signs the port exactly as the URL gives it") {
  CHECK(twilio_signature("secret-token", "https://city.example:443/sms/twilio", sms_params) ==
        "lbbl8bhQuY9wQIYId8uV+WwDY+E=");
  CHECK(twilio_signature("secret-token", "http://city.example:80/sms/twilio", sms_params) ==
        "1S6S5NMTqIzpY4shEtX+IuFUdUE=");
  CHECK(twilio_signature("secret-token", "https://city.example:8443/sms/twilio", sms_params) ==
        "xQE0IahNnhg6YUeFGeL/C2mYavM=");
}

TEST_CASE("twilio_signature signs each distinct value of a repeated name once, sorted") {
  // SDK params {b: ['z', 'a', 'z'], a: '1'} and {b: ['a', 'z'], a: '1'} sign alike.
  const std::string expected = "/CIc1qF/6zVNXOqXNDaSEODbD18=";
  CHECK(twilio_signature("tok", "https://city.example/sms",
                         {{"b", "z"}, {"b", "a"}, {"b", "z"}, {"a", "1"}}) == expected);
  CHECK(twilio_signature("tok", "https://city.example/sms", {{"a", "1"}, {"b", "a"}, {"b", "z"}}) ==
        expected);
}

TEST_CASE("twilio_signature sorts names like JavaScript: by UTF-16 code unit") {
  // JavaScript sorts these as Z, _, a, U+1F600, U+E000 (a surrogate pair sorts before U+E000,
  // unlike in byte order).
  const form_params params{
      {"\xEE\x80\x80", "x"}, {"\xF0\x9F\x98\x80", "y"}, {"Z", "1"}, {"a", "2"}, {"_", "3"}};
  CHECK(twilio_signature("tok", "https://city.example/sms", params) ==
        "gDU5Eewf9kV2ArO8ESv1dBdnG4E=");
}

TEST_CASE("twilio_signature with HMAC-SHA256 for SharedKey webhooks") {
  CHECK(twilio_signature("shared-secret", "https://city.example/sms/twilio", sms_params,
                         twilio_signature_algorithm::hmac_sha256) ==
        "h865xwZgYlc8VD1Z5Qiy7jDQwDoVt18tFjh+mlIz46M=");
}

TEST_CASE("twilio_signature_valid accepts the right signature and rejects others") {
  const std::string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
  const form_params params{{"CallSid", "CA1234567890ABCDE"},
                           {"Caller", "+14158675309"},
                           {"Digits", "1234"},
                           {"From", "+14158675309"},
                           {"To", "+18005551212"}};
  CHECK(twilio_signature_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  CHECK_FALSE(twilio_signature_valid("12346", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8="));
  CHECK_FALSE(twilio_signature_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8"));
  CHECK_FALSE(twilio_signature_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B9="));
  CHECK_FALSE(twilio_signature_valid("12345", url, params, "rsoydt4t1cutdk1pdd93/vvr8b8="));
  CHECK_FALSE(twilio_signature_valid("12345", url, params, ""));
  CHECK_FALSE(twilio_signature_valid("12345", url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8= "));
}

TEST_CASE("twilio_signature_valid rejects a changed param, URL or algorithm") {
  const std::string url = "https://city.example/sms/twilio";
  const std::string signature = "pByEku/thtoS9RihB6aZkuQRB+A=";
  REQUIRE(twilio_signature_valid("secret-token", url, sms_params, signature));
  form_params changed = sms_params;
  changed[4].second = "Pothole on Main St";
  CHECK_FALSE(twilio_signature_valid("secret-token", url, changed, signature));
  form_params extra = sms_params;
  extra.emplace_back("NumSegments", "1");
  CHECK_FALSE(twilio_signature_valid("secret-token", url, extra, signature));
  CHECK_FALSE(twilio_signature_valid("secret-token", "https://city.example/sms/other", sms_params,
                                     signature));
  CHECK_FALSE(twilio_signature_valid("secret-token", "http://city.example/sms/twilio", sms_params,
                                     signature));
  CHECK_FALSE(twilio_signature_valid("secret-token", url, sms_params, signature,
                                     twilio_signature_algorithm::hmac_sha256));
}

TEST_CASE("twilio_signature_valid accepts a signature made with or without the default port") {
  // Signed with :443, received without it, and the other way round.
  CHECK(twilio_signature_valid("secret-token", "https://city.example/sms/twilio", sms_params,
                               "lbbl8bhQuY9wQIYId8uV+WwDY+E="));
  CHECK(twilio_signature_valid("secret-token", "https://city.example:443/sms/twilio", sms_params,
                               "pByEku/thtoS9RihB6aZkuQRB+A="));
  CHECK(twilio_signature_valid("secret-token", "http://city.example/sms/twilio", sms_params,
                               "1S6S5NMTqIzpY4shEtX+IuFUdUE="));
  // Only the default port of the scheme is added.
  CHECK_FALSE(twilio_signature_valid("secret-token", "http://city.example/sms/twilio", sms_params,
                                     "lbbl8bhQuY9wQIYId8uV+WwDY+E="));
  CHECK_FALSE(twilio_signature_valid("secret-token", "https://city.example/sms/twilio", sms_params,
                                     "xQE0IahNnhg6YUeFGeL/C2mYavM="));
}

TEST_CASE("twilio_signature_valid, like the SDK, also tries the URL with its port removed") {
  // The SDK's removePort drops any port, so a URL received on :8443 validates a signature made
  // without a port.
  CHECK(twilio_signature_valid("secret-token", "https://city.example:8443/sms/twilio", sms_params,
                               "pByEku/thtoS9RihB6aZkuQRB+A="));
  CHECK(twilio_signature_valid("secret-token", "https://city.example:8443/sms/twilio", sms_params,
                               "xQE0IahNnhg6YUeFGeL/C2mYavM="));
}

TEST_CASE("twilio_signature_valid accepts a signature over the browser-normalised URL") {
  const form_params& params = small_params;
  const std::string raw = "https://City.Example/sms/twilio?name=O'Brien&q=a b";
  CHECK(twilio_signature_valid("tok", raw, params, "Q0LX16EJql6ily2NYdBuC02OwDk="));  // as is
  // Signed over "https://city.example/sms/twilio?name=O%27Brien&q=a%20b" (new URL(raw)).
  CHECK(twilio_signature_valid("tok", raw, params, "OD5UjQr/JIznrlVFmwBVWxoDW4s="));
  // Signed over the same with the legacy querystring: "...?name=O'Brien&q=a%20b".
  CHECK(twilio_signature_valid("tok", raw, params, "gTu+CMZeGL/pGkmKGPlR6u1EWxI="));
}

TEST_CASE("twilio_signature_valid accepts a signature over the legacy querystring form") {
  const form_params& params = small_params;
  // "...?name=O%27Brien" received, "...?name=O'Brien" signed.
  CHECK(twilio_signature_valid("tok", "https://city.example/sms/twilio?name=O%27Brien", params,
                               "beqHZQVwVDvfYaAlVeuCHihlGJg="));
  CHECK(twilio_signature_valid("tok", "https://city.example/sms/twilio?name=O%27Brien", params,
                               "hAZ+/WeYKyBINaEjEIJ69/5TNlU="));
  // ":443" and "%7E" received; signed without the port, and with "~".
  const std::string tilde = "https://city.example:443/sms/twilio?a=1&b=%7E";
  CHECK(twilio_signature_valid("tok", tilde, params, "f2ANkwWLeFKaIbLu0mIS+cScWQk="));
  CHECK(twilio_signature_valid("tok", tilde, params, "+WcBySW9mkCcdPp0b0XsgjsRTLY="));
  CHECK(twilio_signature_valid("tok", tilde, params, "qzSK4Lt2g03UclnQtS5KP41HmS8="));
  // Repeated query names are grouped: "?b=2&a=1&b=3" signed as "?b=2&b=3&a=1".
  const std::string repeated = "https://city.example/sms/twilio?b=2&a=1&b=3";
  CHECK(twilio_signature_valid("tok", repeated, params, "OZDqXEcJ/c3JWj8W+sUKTm+fsjA="));
  CHECK(twilio_signature_valid("tok", repeated, params, "RJpKA//ZfXpwHCNCU2V88LuAcF8="));
}

TEST_CASE("twilio_signature_valid handles URLs it cannot normalise") {
  CHECK_FALSE(twilio_signature_valid("tok", "", small_params, "x"));
  CHECK_FALSE(twilio_signature_valid("tok", "not a url", small_params, "x"));
  CHECK_FALSE(twilio_signature_valid("tok", "https://city.example:abc/sms", small_params, "x"));
  // A URL with no scheme is still compared as given.
  const std::string signature = twilio_signature("tok", "/sms/twilio", small_params);
  CHECK(twilio_signature_valid("tok", "/sms/twilio", small_params, signature));
}

TEST_CASE("twilio_signature_valid accepts an IPv6 host with the default port added") {
  const std::string signature = twilio_signature("tok", "https://[::1]:443/sms", small_params);
  CHECK(twilio_signature_valid("tok", "https://[::1]/sms", small_params, signature));
}

TEST_CASE("twilio_signature_algorithm_from_settings reads the algorithm like the SDK") {
  using enum twilio_signature_algorithm;
  CHECK(twilio_signature_algorithm_from_settings("") == hmac_sha1);
  CHECK(twilio_signature_algorithm_from_settings("key=webhooks_sharedkey_1") == hmac_sha1);
  CHECK(twilio_signature_algorithm_from_settings("key=x,algorithm=") == hmac_sha1);
  CHECK(twilio_signature_algorithm_from_settings(
            "key=webhooks_sharedkey_1, algorithm=HMAC_SHA256") == hmac_sha256);
  CHECK(twilio_signature_algorithm_from_settings("algorithm = hmac_sha1") == hmac_sha1);
  CHECK(twilio_signature_algorithm_from_settings("algorithm=HMAC_SHA512") == std::nullopt);
}

TEST_CASE("public_url joins the configured base and the request target") {
  CHECK(public_url("https://city.example/", "/sms/twilio?x=1") ==
        "https://city.example/sms/twilio?x=1");
  CHECK(public_url("https://city.example", "/sms/twilio") == "https://city.example/sms/twilio");
  CHECK(public_url("https://city.example//", "/sms/twilio") == "https://city.example/sms/twilio");
  CHECK(public_url("https://city.example/civicline/", "/sms/twilio") ==
        "https://city.example/civicline/sms/twilio");
  CHECK(public_url("https://city.example:8443", "sms/twilio") ==
        "https://city.example:8443/sms/twilio");
  CHECK(public_url("https://city.example", "") == "https://city.example/");
  CHECK(public_url("https://city.example", "?x=1") == "https://city.example/?x=1");
}

TEST_CASE("public_url keeps only the path of an absolute-form request target") {
  CHECK(public_url("https://city.example", "http://internal:8080/sms/twilio?x=1") ==
        "https://city.example/sms/twilio?x=1");
}
