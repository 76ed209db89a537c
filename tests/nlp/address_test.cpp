#include <algorithm>
#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
struct address_case {
  const char* text;
  const char* address;  ///< the exact span expected
  address_form form;
};

void check_table(const std::vector<address_case>& table, const context& ctx = {}) {
  for (const auto& c : table) {
    const std::string text = c.text;
    const understanding u = test::read(text, ctx);
    INFO(text << " -> " << to_json(u));
    const entity* found = nullptr;
    for (const auto& e : u.entities) {
      if (e.kind == entity_kind::address && e.form != address_form::zip)
        found = &e;
    }
    REQUIRE(found != nullptr);
    CHECK(text.substr(found->begin, found->end - found->begin) == c.address);
    CHECK(found->value == c.address);
    CHECK(found->form == c.form);
  }
}
}  // namespace

TEST_CASE("street addresses with number, directional, suffix and unit") {
  using enum address_form;
  check_table({
      {"light out at 1400 n alma school rd apt 2043 pls", "1400 n alma school rd apt 2043",
       street_address},
      {"pothole in front of 55 N Center St.", "55 N Center St", street_address},
      {"graffiti at 12 Oak Avenue, Unit 4", "12 Oak Avenue, Unit 4", street_address},
      {"1200 E. University Dr", "1200 E. University Dr", street_address},
      {"trash not picked up at 33 West Elm Ln #14F", "33 West Elm Ln #14F", street_address},
      {"THE LIGHT AT 55 N CENTER ST IS OUT", "55 N CENTER ST", street_address},
      {"dumping behind 845 Martin Luther King Jr Blvd", "845 Martin Luther King Jr Blvd",
       street_address},
      {"hay un bache en Av. Juárez 123", "Av. Juárez 123", street_address},
      {"fuga de agua en calle Hidalgo #45", "calle Hidalgo #45", street_address},
      {"cars racing on the 300 block of E Main St every night", "300 block of E Main St",
       street_address},
  });
}

TEST_CASE("intersections in many forms") {
  using enum address_form;
  check_table({
      {"Main & Center", "Main & Center", intersection},
      {"at the corner of Main and Center", "Main and Center", intersection},
      {"corner of main and center", "main and center", intersection},
      {"broken signal 1st ave/hibbert", "1st ave/hibbert", intersection},
      {"pothole at Mesa Dr and 8th Ave", "Mesa Dr and 8th Ave", intersection},
      {"esquina de Main y Center", "Main y Center", intersection},
      {"stop sign down at Elm St & 3rd", "Elm St & 3rd", intersection},
      {"intersection of University Dr and Country Club Dr", "University Dr and Country Club Dr",
       intersection},
  });
}

TEST_CASE("landmarks and streets without numbers") {
  using enum address_form;
  check_table({
      {"cart left by the walmart on southern", "walmart on southern", landmark},
      {"hay pintas en los baños del parque Pioneer Park", "Pioneer Park", landmark},
      {"swings broken at Emerald Park", "Emerald Park", landmark},
      {"los columpios del parque Emerald", "parque Emerald", landmark},
      {"pothole on main st", "main st", street},
      {"dead raccoon on 5th", "5th", street},
      {"bache en calle Morelos", "calle Morelos", street},
      {"light out near Lincoln Elementary School", "Lincoln Elementary School", landmark},
      // A landmark word inside a street's name: the street, with its suffix.
      {"POTHOLE ON ALMA SCHOOL RD BY THE CHURCH", "ALMA SCHOOL RD", street},
      {"baches en alma school rd, los carros", "alma school rd", street},
      {"trash on Country Club Dr", "Country Club Dr", street},
      // Capitals or an ordinal with a suffix need no cue before the street.
      {"dead dog on the side of Lindsay Rd", "Lindsay Rd", street},
      {"deep pot hole 3rd St near the school", "3rd St", street},
      {"tree branch hanging over Oak Ave", "Oak Ave", street},
  });
}

TEST_CASE("terse replies are read as places when the dialog asked where") {
  context where;
  where.expecting = expectation::location;
  using enum address_form;
  check_table({{"55 center", "55 center", street_address},
               {"main and center", "main and center", intersection}},
              where);
  check_table({{"red mountain park by the lake", "red mountain park", landmark},
               {"por el walmart de la southern", "walmart de la southern", landmark}},
              where);
  // A zip code alone answers "where?" too; a number in a sentence does not.
  for (const char* text : {"85201", "zip 85210", "85201-1234"}) {
    const understanding u = test::read(text, where);
    INFO(text << " -> " << to_json(u));
    REQUIRE(u.entities.size() == 1);
    CHECK(u.entities[0].form == address_form::zip);
    CHECK(u.intent == intent::provide_location);
  }
  CHECK(test::read("85201").entities.empty());
}

TEST_CASE("zip codes") {
  const std::string text = "555 W Main St, Mesa, AZ 85201";
  const understanding u = test::read(text);
  bool zip = false;
  for (const auto& e : u.entities) {
    if (e.form == address_form::zip) {
      zip = true;
      CHECK(e.value == "85201");
      CHECK(text.substr(e.begin, e.end - e.begin) == "85201");
    }
  }
  CHECK(zip);
  bool zip_cue = false;
  for (const auto& e : test::read("my zip is 85210").entities)
    zip_cue = zip_cue || e.value == "85210";
  CHECK(zip_cue);
}

TEST_CASE("numbers and words that are not addresses") {
  for (const char* text :
       {"I waited 3 weeks for this", "2 potholes and a broken light",
        "the trash and recycling were not collected", "call me at 5", "dogs and cats everywhere",
        "it has been 10 days", "the street is dark", "pothole on my street",
        "either way it is broken", "I called Dr Smith about it", "no way"}) {
    const understanding u = test::read(text);
    INFO(text << " -> " << to_json(u));
    CHECK(std::none_of(u.entities.begin(), u.entities.end(),
                       [](const entity& e) { return e.kind == entity_kind::address; }));
  }
}

TEST_CASE("the words of a place are not evidence for the problem") {
  // "parque" names the place, so it does not make graffiti a park problem.
  const understanding u = test::read("hay pintas en los baños del parque Pioneer Park");
  CHECK(u.category == "graffiti");
}

TEST_CASE("the city's street names make bare names a place") {
  using enum address_form;
  // config/nlp lists the demo city's streets (address.street_names).
  check_table({
      {"light out broadway and dobson", "broadway and dobson", intersection},
      {"stapley and main traffic light out", "stapley and main", intersection},
      {"carro estacionado en el cruce peatonal de Macdonald y 1st", "Macdonald y 1st",
       intersection},
      {"TIRARON BASURA EN EL CANAL DE VAL VISTA DR", "VAL VISTA DR", street},
      {"pothole on Southern by the school", "Southern", street},
      {"stretlight out on sycamore, super dark", "sycamore", street},
      {"pothole on dobson near the light", "dobson", street},
  });
  for (const char* text :
       {"Power is out on my street", "a water main broke in the center of the road",
        "the main and the side doors are broken", "a leak in the center of the road",
        "water main broke on main"}) {
    const understanding u = test::read(text);
    INFO(text << " -> " << to_json(u));
    CHECK(std::none_of(u.entities.begin(), u.entities.end(),
                       [](const entity& e) { return e.kind == entity_kind::address; }));
  }
}

TEST_CASE("a city lists its own street names in the rule pack") {
  const std::string pack = R"({
    "language": "en",
    "intents": {},
    "categories": {"pothole": {"terms": {"pothole": 3}}},
    "address": {"connectors": ["and"], "location_cues": ["at"],
                "street_names": ["Quail Run", "Saguaro"]}
  })";
  std::vector<rule_pack_source> packs{{"city.json", pack}};
  const auto lex = lexicon::compile(packs);
  const std::string text = "pothole at quail run and saguaro";
  const understanding u = understand(text, *lex);
  REQUIRE(u.entities.size() == 1);
  CHECK(u.entities[0].value == "quail run and saguaro");
  // Each word of a listed name counts, so "quail" alone is a street word too.
  CHECK(understand("pothole at quail and saguaro", *lex).entities.size() == 1);
  CHECK(understand("pothole at quiet and saguaro", *lex).entities.empty());
}
