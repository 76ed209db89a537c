// The hand-written JSON writer must say exactly what nlohmann::json says (it replaced it on the
// per-message paths), and stay valid JSON for bytes that are not UTF-8.
#include "core/json_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

namespace civicline::core {
namespace {

std::string written(std::string_view text) {
  std::string out;
  append_json_string(out, text);
  return out;
}

TEST_CASE("JSON strings are written as nlohmann::json dumps them", "[json]") {
  for (const std::string text :
       {std::string(), std::string("plain"), std::string("quote \" and \\ back"),
        std::string("tab\tnew\nline\rcr\bbell\x07\x1f\x7f"),
        std::string("caf\xc3\xa9 \xe2\x82\xac"), std::string("emoji \xf0\x9f\x91\x8d"),
        std::string("nul \0 inside", 12)}) {
    CHECK(written(text) == nlohmann::json(text).dump());
  }
}

TEST_CASE("bytes that are not UTF-8 become U+FFFD and the rest is kept", "[json]") {
  std::mt19937 random(1202);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(0, 24);
  for (int i = 0; i < 20'000; ++i) {
    std::string text(static_cast<std::size_t>(length(random)), '\0');
    for (char& c : text) {
      c = static_cast<char>(byte(random));
    }
    // nlohmann replaces a cut-off sequence with one U+FFFD where this writer replaces each
    // byte; apart from the replacement characters both keep the same text.
    const auto without_replacements = [](std::string decoded) {
      for (auto at = decoded.find("\xef\xbf\xbd"); at != std::string::npos;
           at = decoded.find("\xef\xbf\xbd")) {
        decoded.erase(at, 3);
      }
      return decoded;
    };
    const std::string ours = written(text);
    const auto reference = nlohmann::json::parse(
        nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    INFO(ours);
    const auto parsed = nlohmann::json::parse(ours);  // throws if not valid JSON
    REQUIRE(without_replacements(parsed.get<std::string>()) ==
            without_replacements(reference.get<std::string>()));
  }
  CHECK(written("\xed\xa0\x80") == "\"\\ufffd\\ufffd\\ufffd\"");  // a surrogate is not UTF-8
  CHECK(written("\xc0\xaf") == "\"\\ufffd\\ufffd\"");             // nor an overlong '/'
}

TEST_CASE("numbers read back as the same value and kind", "[json]") {
  for (const double value : {0.0, 1.0, -33.4152, 1e-9, 123456789.125, 1e300}) {
    std::string out;
    append_json_number(out, value);
    const auto back = nlohmann::json::parse(out);
    CHECK(back.is_number_float());
    CHECK(back.get<double>() == value);
  }
  std::string infinite;
  append_json_number(infinite, std::numeric_limits<double>::infinity());
  CHECK(infinite == "null");
  std::string integer;
  append_json_number(integer, std::int64_t{-1796206995268});
  CHECK(integer == "-1796206995268");
}

}  // namespace
}  // namespace civicline::core
