#include "nlp/tracking_id.hpp"

#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
std::vector<entity> ids_in(const std::string& text, const lexicon& lex) {
  std::vector<entity> out;
  for (const auto& e : understand(text, lex).entities) {
    if (e.kind == entity_kind::tracking_id)
      out.push_back(e);
  }
  return out;
}
}  // namespace

TEST_CASE("tracking ids in every form are normalised") {
  struct id_case {
    const char* text;
    const char* span;
  };
  for (const auto& c : std::vector<id_case>{
           {"status of 311-004512?", "311-004512"},
           {"status of 311 004512", "311 004512"},
           {"311004512", "311004512"},
           {"what about #4512", "#4512"},
           {"ticket 4512 please", "4512"},
           {"case # 4512", "# 4512"},
           {"mi reporte 311-4512", "311-4512"},
           {"folio 4512", "4512"},
           {"Report number 311\u2013004512, is it done yet?", "311\u2013004512"},  // en dash
           {"where are we on ticket #311-004512", "311-004512"},
           {"#311-004512?", "311-004512"},
       }) {
    const std::string text = c.text;
    const auto ids = ids_in(text, test::demo_lexicon());
    INFO(text);
    REQUIRE(ids.size() == 1);
    CHECK(ids[0].value == "311-004512");
    CHECK(text.substr(ids[0].begin, ids[0].end - ids[0].begin)
              .find(std::string(c.span).substr(std::string(c.span).size() - 4)) !=
          std::string::npos);
  }
}

TEST_CASE("numbers that are not tracking ids") {
  for (const char* text : {"call 311", "apt #4512 on main st", "it was 4512 dollars",
                           "(480) 311-4512", "311-0045120000", "#12"}) {
    INFO(text);
    CHECK(ids_in(text, test::demo_lexicon()).empty());
  }
}

TEST_CASE("the tracking id form comes from the city config") {
  lexicon_options options;
  options.tracking_id_prefix = "SR-";
  options.tracking_id_digits = 8;
  CHECK(canonical_tracking_id(options, "4512") == "SR-00004512");
  CHECK_FALSE(canonical_tracking_id(options, "123456789"));
  const std::string dir = std::string(CIVICLINE_SOURCE_DIR) + "/config/nlp/";
  std::vector<rule_pack_source> packs{{"en.json", test::read_file(dir + "en.json")}};
  const auto lex = lexicon::compile(packs, options);
  const auto ids = ids_in("update on SR-4512?", *lex);
  REQUIRE(ids.size() == 1);
  CHECK(ids[0].value == "SR-00004512");
  CHECK(ids_in("sr00004512", *lex).size() == 1);
}

TEST_CASE("a tracking cue at the end of a message finds no id") {
  // The cue's lookahead once read past the last token (ASan: heap-buffer-overflow).
  CHECK(ids_in("any news on my ticket", test::demo_lexicon()).empty());
  CHECK(ids_in("what about case #", test::demo_lexicon()).empty());
  CHECK(ids_in("reporte numero", test::demo_lexicon()).empty());
}
