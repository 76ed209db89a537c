#include "channels/form_body.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;

TEST_CASE("parse_form_body decodes names and values in body order") {
  const auto params = parse_form_body("To=%2B15559998888&From=%2B15550001111&Body=Hello+world%21");
  REQUIRE(params);
  REQUIRE(params->size() == 3);
  CHECK((*params)[0] == std::pair<std::string, std::string>{"To", "+15559998888"});
  CHECK((*params)[1] == std::pair<std::string, std::string>{"From", "+15550001111"});
  CHECK((*params)[2] == std::pair<std::string, std::string>{"Body", "Hello world!"});
}

TEST_CASE("parse_form_body reads '+' as a space and %2B as a plus") {
  const auto params = parse_form_body("a=1+2&b=1%2B2&c=1%202");
  REQUIRE(params);
  CHECK((*params)[0].second == "1 2");
  CHECK((*params)[1].second == "1+2");
  CHECK((*params)[2].second == "1 2");
}

TEST_CASE("parse_form_body decodes UTF-8 escapes in either hex case") {
  const auto params = parse_form_body("Body=caf%C3%A9+%f0%9f%9a%a7");
  REQUIRE(params);
  CHECK((*params)[0].second == "café 🚧");
}

TEST_CASE("parse_form_body keeps repeated names, empty values and names without '='") {
  const auto params = parse_form_body("a=1&a=2&empty=&flag&=nameless");
  REQUIRE(params);
  REQUIRE(params->size() == 5);
  CHECK((*params)[1] == std::pair<std::string, std::string>{"a", "2"});
  CHECK((*params)[2] == std::pair<std::string, std::string>{"empty", ""});
  CHECK((*params)[3] == std::pair<std::string, std::string>{"flag", ""});
  CHECK((*params)[4] == std::pair<std::string, std::string>{"", "nameless"});
}

TEST_CASE("parse_form_body keeps everything after the first '=' in the value") {
  const auto params = parse_form_body("q=a=b=c");
  REQUIRE(params);
  CHECK((*params)[0].second == "a=b=c");
}

TEST_CASE("parse_form_body skips empty pieces") {
  const auto params = parse_form_body("&a=1&&b=2&");
  REQUIRE(params);
  REQUIRE(params->size() == 2);
  CHECK((*params)[1].first == "b");
  CHECK(parse_form_body("")->empty());
  CHECK(parse_form_body("&&&")->empty());
}

TEST_CASE("parse_form_body accepts raw bytes a lenient client did not escape") {
  const auto params = parse_form_body("Body=hello world ñ");
  REQUIRE(params);
  CHECK((*params)[0].second == "hello world ñ");
}

TEST_CASE("parse_form_body passes invalid UTF-8 through unchanged") {
  const auto params = parse_form_body("Body=%FF%FEok");
  REQUIRE(params);
  CHECK((*params)[0].second == "\xFF\xFEok");
}

TEST_CASE("parse_form_body decodes %00 to a NUL byte") {
  const auto params = parse_form_body("a=x%00y");
  REQUIRE(params);
  CHECK((*params)[0].second == std::string("x\0y", 3));
}

TEST_CASE("parse_form_body rejects a broken percent escape") {
  CHECK_FALSE(parse_form_body("Body=100%"));
  CHECK_FALSE(parse_form_body("Body=100%2"));
  CHECK_FALSE(parse_form_body("Body=%zz"));
  CHECK_FALSE(parse_form_body("Body=%-1"));
  CHECK_FALSE(parse_form_body("B%y=1"));
  CHECK_FALSE(parse_form_body("a=1&b=%G0"));
}

TEST_CASE("encode_form_body escapes like a browser form") {
  CHECK(encode_form_body({{"To", "+15559998888"}, {"Body", "Hi there & bye!"}}) ==
        "To=%2B15559998888&Body=Hi+there+%26+bye%21");
  CHECK(encode_form_body({{"k", "AZaz09*-._~"}}) == "k=AZaz09*-._%7E");
  CHECK(encode_form_body({{"k", "é"}}) == "k=%C3%A9");
  CHECK(encode_form_body({{"a b", "="}}) == "a+b=%3D");
  CHECK(encode_form_body({}).empty());
}

TEST_CASE("encode_form_body and parse_form_body round-trip any bytes") {
  std::string every_byte;
  for (int c = 0; c < 256; ++c) {
    every_byte += static_cast<char>(c);
  }
  const form_params params{{"all", every_byte},
                           {"", ""},
                           {"Body", "Pothole on 5th & Main — 🚧 100% + more"},
                           {"all", "second"},
                           {"k=&", "v=&"}};
  const auto decoded = parse_form_body(encode_form_body(params));
  REQUIRE(decoded);
  CHECK(*decoded == params);
}

TEST_CASE("form_value gives the first value or nullptr") {
  const form_params params{{"a", "1"}, {"b", ""}, {"a", "2"}};
  REQUIRE(form_value(params, "a") != nullptr);
  CHECK(*form_value(params, "a") == "1");
  REQUIRE(form_value(params, "b") != nullptr);
  CHECK(form_value(params, "b")->empty());
  CHECK(form_value(params, "c") == nullptr);
  CHECK(form_value(params, "A") == nullptr);  // names are case-sensitive
}
