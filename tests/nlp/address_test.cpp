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
      {"cart left by the walmart on southern", "the walmart on southern", landmark},
      {"swings broken at Emerald Park", "Emerald Park", landmark},
      {"los columpios del parque Emerald", "parque Emerald", landmark},
      {"pothole on main st", "main st", street},
      {"dead raccoon on 5th", "5th", street},
      {"bache en calle Morelos", "calle Morelos", street},
  });
}

TEST_CASE("terse replies are read as places when the dialog asked where") {
  context where;
  where.expecting = expectation::location;
  using enum address_form;
  check_table({{"55 center", "55 center", street_address},
               {"main and center", "main and center", intersection}},
              where);
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
        "it has been 10 days", "the street is dark", "pothole on my street"}) {
    const understanding u = test::read(text);
    INFO(text << " -> " << to_json(u));
    CHECK(std::none_of(u.entities.begin(), u.entities.end(),
                       [](const entity& e) { return e.kind == entity_kind::address; }));
  }
}
