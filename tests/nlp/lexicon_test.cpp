#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
lexicon_error compile_error(const std::string& json) {
  std::vector<rule_pack_source> packs{{"config/nlp/xx.json", json}};
  try {
    lexicon::compile(packs);
  } catch (const lexicon_error& e) {
    return e;
  }
  FAIL("expected a lexicon_error for " << json);
  return lexicon_error("", "", "");
}
}  // namespace

TEST_CASE("load errors name the file, the JSON path and the problem") {
  auto e = compile_error("{ not json");
  CHECK(e.file() == "config/nlp/xx.json");
  CHECK_THAT(e.problem(), Catch::Contains("not valid JSON"));

  e = compile_error(R"({"language": "fr", "intents": {}, "categories": {}})");
  CHECK(e.json_path() == "language");

  e = compile_error(
      R"({"language": "en", "intents": {"greet": {"terms": {"hi": 1}}}, "categories": {}})");
  CHECK(e.json_path() == "intents.greet");
  CHECK_THAT(e.problem(), Catch::Contains("unknown intent id"));

  e = compile_error(
      R"({"language": "en", "intents": {}, "categories": {"pothole": {"terms": {"pothole": "high"}}}})");
  CHECK(e.json_path() == "categories.pothole.terms[\"pothole\"]");
  CHECK_THAT(e.problem(), Catch::Contains("weight"));

  e = compile_error(R"({"language": "en", "intents": {}, "categories": {}, "markers": [1]})");
  CHECK(e.json_path() == "markers[0]");

  e = compile_error(
      R"({"language": "en", "intents": {}, "categories": {}, "scoring": {"prior": -1}})");
  CHECK(e.json_path() == "scoring.prior");
  CHECK_THAT(std::string(e.what()), Catch::Contains("config/nlp/xx.json: scoring.prior: "));
}

TEST_CASE("a city adds a category in config and it works without rebuilding") {
  const std::string pack = R"({
    "language": "en",
    "intents": {"greeting": {"terms": {"hello": 2}}},
    "categories": {
      "snow_removal": {"terms": {"snow": 3, "unplowed": 3, "needs plowing": 4}},
      "pothole": {"terms": {"pothole": 3}}
    }
  })";
  std::vector<rule_pack_source> packs{{"city.json", pack}};
  const auto lex = lexicon::compile(packs);
  const understanding u = understand("our street still needs plowing after the SNOW", *lex);
  CHECK(u.intent == intent::report_problem);
  CHECK(u.category == "snow_removal");
  CHECK(lex->category_index("other") >= 0);  // always present as the fallback
}

TEST_CASE("the demo lexicon is small and lists the demo categories") {
  const lexicon& lex = test::demo_lexicon();
  CHECK(lex.memory_bytes() < 20u * 1024 * 1024);
  for (const char* id : {"pothole",
                         "streetlight",
                         "graffiti",
                         "missed_trash_pickup",
                         "bulky_item_pickup",
                         "illegal_dumping",
                         "abandoned_vehicle",
                         "water_leak",
                         "sewer_drain",
                         "noise",
                         "dead_animal",
                         "traffic_signal",
                         "sidewalk",
                         "tree",
                         "park_maintenance",
                         "parking_violation",
                         "homeless_encampment",
                         "code_enforcement",
                         "street_sign",
                         "litter",
                         "other"}) {
    CHECK(lex.category_index(id) >= 0);
  }
  CHECK(lex.categories().size() == 21);
}
