#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
struct category_case {
  const char* text;
  const char* category;
};

void check_table(const std::vector<category_case>& table) {
  for (const auto& c : table) {
    const understanding u = test::read(c.text);
    INFO(c.text << " -> " << to_json(u));
    CHECK(u.intent == intent::report_problem);
    CHECK(u.category.value_or("(none)") == c.category);
  }
}
}  // namespace

TEST_CASE("each category in English") {
  check_table({
      {"there is a huge pothole on oak street", "pothole"},
      {"the street light by my driveway is out", "streetlight"},
      {"someone spray painted the underpass", "graffiti"},
      {"our recycling wasn't picked up this week", "missed_trash_pickup"},
      {"can you come get an old sofa, need a bulky item pickup", "bulky_item_pickup"},
      {"somebody dumped a load of tires behind the church", "illegal_dumping"},
      {"abandoned car with no plates hasn't moved in weeks", "abandoned_vehicle"},
      {"water main break, water gushing onto the road", "water_leak"},
      {"the storm drain on my corner is clogged", "sewer_drain"},
      {"neighbors blasting loud music at 3am", "noise"},
      {"dead deer on the shoulder of the highway", "dead_animal"},
      {"the traffic signal at the school is stuck on red", "traffic_signal"},
      {"the sidewalk is cracked and a trip hazard", "sidewalk"},
      {"a tree branch fell and is blocking the lane", "tree"},
      {"the playground swings are broken", "park_maintenance"},
      {"a truck is blocking my driveway", "parking_violation"},
      {"homeless encampment set up under the overpass", "homeless_encampment"},
      {"the vacant house next door has an overgrown yard", "code_enforcement"},
      {"the stop sign at the corner got knocked down", "street_sign"},
      {"litter everywhere around the bus stop", "litter"},
      {"I'd like to report a problem", "other"},
  });
}

TEST_CASE("each category in Spanish") {
  check_table({
      {"hay un bache muy grande en mi calle", "pothole"},
      {"la luminaria de la esquina está fundida", "streetlight"},
      {"pintaron grafiti en la escuela", "graffiti"},
      {"no pasó el camión de la basura", "missed_trash_pickup"},
      {"necesito que recojan muebles y objetos grandes", "bulky_item_pickup"},
      {"alguien tiró escombros en el lote", "illegal_dumping"},
      {"carro abandonado sin placas", "abandoned_vehicle"},
      {"hay una fuga de agua en la banqueta de enfrente", "water_leak"},
      {"la coladera está tapada y huele a drenaje", "sewer_drain"},
      {"los vecinos tienen música alta, no puedo dormir", "noise"},
      {"hay un perro muerto en la calle", "dead_animal"},
      {"el semáforo no funciona", "traffic_signal"},
      {"la banqueta está levantada", "sidewalk"},
      {"se cayó un árbol enorme", "tree"},
      {"los columpios del parque están rotos", "park_maintenance"},
      {"un coche mal estacionado bloqueando mi cochera", "parking_violation"},
      {"campamento de personas sin hogar bajo el puente", "homeless_encampment"},
      {"están construyendo sin permiso", "code_enforcement"},
      {"el letrero de alto está tirado", "street_sign"},
      {"basura tirada por todos lados en la plaza", "litter"},
  });
}

TEST_CASE("typos, abbreviations and all caps") {
  check_table({
      {"potholle on elm", "pothole"},
      {"pohtole on my street", "pothole"},
      {"huge pot hole", "pothole"},
      {"stretlight out on 5th", "streetlight"},
      {"grafitti on the wall", "graffiti"},
      {"THERE IS GRAFFITI ON MY GARAGE", "graffiti"},
      {"STREET LIGHT OUT PLS FIX", "streetlight"},
      {"the streetlite is flickering", "streetlight"},
      {"trafic signal stuck on red", "traffic_signal"},
      {"un vache en la calle", "pothole"},
      {"SEMAFORO DESCOMPUESTO", "traffic_signal"},
  });
}

TEST_CASE("real words are not read as typos of keywords") {
  // "dark" is one letter from "park", "heat" from "heave", "night" from "light"
  CHECK(test::read("it's so dark at my house").category != "park_maintenance");
  CHECK(test::read("no heat in the building").category != "sidewalk");
  CHECK(test::read("my mole is itchy").category != "pothole");
}

TEST_CASE("numbers inside a phrase are stepped over like articles") {
  CHECK(test::read("the van has been sitting for 2 weeks").category == "abandoned_vehicle");
  CHECK(test::read("it has been 3 weeks").intent == intent::check_status);
  CHECK(test::read("lleva 3 semanas sin moverse").category == "abandoned_vehicle");
}

TEST_CASE("negation") {
  const understanding u = test::read("not a pothole, the street light is out");
  CHECK(u.category == "streetlight");
  const understanding v = test::read("no es un bache, es la luminaria");
  CHECK(v.category == "streetlight");
  CHECK(test::read("the hydrant is no longer leaking").category != "water_leak");
}

TEST_CASE("keywords inside e-mail addresses, links and street names do not count") {
  CHECK(test::read("write to pothole@city.gov").intent != intent::report_problem);
  CHECK(test::read("see https://example.org/graffiti-art").category != "graffiti");
  CHECK(test::read("I live on Park Ave").category != "park_maintenance");
}

TEST_CASE("category alternatives are ordered and below the winner") {
  const understanding u = test::read("tree branch fell on the street light");
  REQUIRE(u.category);
  double previous = u.category_confidence;
  for (const auto& alt : u.category_alternatives) {
    CHECK(alt.confidence <= previous);
    previous = alt.confidence;
  }
}

TEST_CASE("check_status keeps the category when it names the problem") {
  const understanding u = test::read("any update on the pothole I reported?");
  CHECK(u.intent == intent::check_status);
  CHECK(u.category == "pothole");
  CHECK_FALSE(test::read("any update?").category);
}

TEST_CASE("every example in the rule packs is read as labelled") {
  for (const char* file : {"en.json", "es.json"}) {
    const auto pack = nlohmann::json::parse(
        test::read_file(std::string(CIVICLINE_SOURCE_DIR) + "/config/nlp/" + file));
    int total = 0;
    int right = 0;
    for (const auto& [id, body] : pack["categories"].items()) {
      for (const auto& example : body["examples"]) {
        const understanding u = test::read(example.get<std::string>());
        ++total;
        if (u.category.value_or("other") == id) {
          ++right;
        } else {
          WARN(file << ": " << example << " -> " << u.category.value_or("(none)"));
        }
      }
    }
    for (const auto& [id, body] : pack["intents"].items()) {
      for (const auto& example : body["examples"]) {
        context ctx;
        if (id == "provide_location")
          ctx.expecting = expectation::location;
        const understanding u = test::read(example.get<std::string>(), ctx);
        ++total;
        if (to_string(u.intent) == id) {
          ++right;
        } else {
          WARN(file << ": " << example << " -> " << to_string(u.intent));
        }
      }
    }
    INFO(file << ": " << right << "/" << total);
    CHECK(right >= total * 95 / 100);
  }
}
