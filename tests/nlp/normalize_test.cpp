#include "nlp/normalize.hpp"

#include <catch2/catch.hpp>

#include "nlp/tokenize.hpp"
#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

TEST_CASE("fold lowercases, removes accents and applies NFKC") {
  CHECK(fold("POTHOLE") == "pothole");
  CHECK(fold("Está") == "esta");
  CHECK(fold("café") == "cafe");
  CHECK(fold("cafe\xCC\x81") == "cafe");  // combining accent
  CHECK(fold("ＳＴＯＰ") == "stop");      // full-width letters
  CHECK(fold("doesn\xE2\x80\x99t") == "doesn't");
  CHECK(fold("Niño") == "nino");
}

TEST_CASE("fold replaces invalid UTF-8 instead of failing") {
  const std::string bad = "pot\xFF\xFEhole \xC3";
  const std::string folded = fold(bad);
  CHECK(folded.find("\xEF\xBF\xBD") != std::string::npos);
}

TEST_CASE("tokenize keeps byte spans of the original text") {
  const std::string text = "Bache en la calle Juárez 👍🏽!";
  const token_stream ts = tokenize(text);
  REQUIRE(ts.tokens.size() == 7);
  CHECK(text.substr(ts.tokens[4].begin, ts.tokens[4].end - ts.tokens[4].begin) == "Juárez");
  CHECK(ts.norm(ts.tokens[4]) == "juarez");
  CHECK(ts.tokens[5].kind == token_kind::emoji);
  CHECK(ts.norm(ts.tokens[5]) == "👍");  // skin tone dropped
  CHECK(ts.tokens[6].kind == token_kind::punct);
  CHECK(ts.tokens[0].capitalized);
}

TEST_CASE("tokenize marks all-caps messages") {
  CHECK(tokenize("THE LIGHT IS OUT").all_caps);
  CHECK_FALSE(tokenize("The light is out").all_caps);
}

TEST_CASE("odd input never crashes understand") {
  const std::vector<std::string> inputs = {"",
                                           " ",
                                           "\xFF\xFF\xFF",
                                           std::string(100000, 'a'),
                                           std::string("\0\0pothole", 9),
                                           "🕳️🕳️🕳️",
                                           "####",
                                           "311-",
                                           "@@@.com",
                                           "1.2.3.4.5"};
  for (const auto& in : inputs) {
    const understanding u = test::read(in);
    CHECK(u.intent_confidence >= 0.0);
    CHECK(u.intent_confidence <= 1.0);
    for (const entity& e : u.entities)
      CHECK(e.end <= in.size());
  }
}
