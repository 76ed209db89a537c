#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
struct intent_case {
  const char* text;
  const char* intent;
};

void check_table(const std::vector<intent_case>& table, const context& ctx = {}) {
  for (const auto& c : table) {
    const understanding u = test::read(c.text, ctx);
    INFO(c.text << " -> " << to_json(u));
    CHECK(to_string(u.intent) == c.intent);
    CHECK(u.intent_confidence > 0.0);
    CHECK(u.intent_confidence <= 1.0);
  }
}
}  // namespace

TEST_CASE("each intent in English") {
  check_table({
      {"there's a pothole in front of my house", "report_problem"},
      {"I want to report a broken streetlight", "report_problem"},
      {"what's the status of my request?", "check_status"},
      {"any update on 311-000123", "check_status"},
      {"hello", "greeting"},
      {"good morning!", "greeting"},
      {"help", "help"},
      {"how does this work?", "help"},
      {"please stop texting me", "opt_out"},
      {"can I talk to a real person", "human_agent"},
      {"representative", "human_agent"},
      {"it's at 742 evergreen terrace", "provide_location"},
      {"yes", "affirm"},
      {"yep that's right", "affirm"},
      {"nope", "deny"},
      {"cancel my report", "cancel"},
      {"CANCEL", "opt_out"},  // alone it is a carrier keyword, as the dialog treats it
      {"never mind", "cancel"},
      {"thank you so much", "thanks"},
  });
}

TEST_CASE("each intent in Spanish") {
  check_table({
      {"hay un bache enorme frente a mi casa", "report_problem"},
      {"¿cuál es el estado de mi reporte?", "check_status"},
      {"hola", "greeting"},
      {"buenas tardes", "greeting"},
      {"necesito ayuda", "help"},
      {"ya no me manden mensajes", "opt_out"},
      {"quiero hablar con una persona", "human_agent"},
      {"sí", "affirm"},
      {"claro", "affirm"},
      {"para nada", "deny"},
      {"olvídalo", "cancel"},
      {"muchas gracias", "thanks"},
      {"esquina de Main y Center", "provide_location"},
  });
}

TEST_CASE("SMS speak, all caps and emoji") {
  check_table({
      {"thx!!", "thanks"},
      {"ty", "thanks"},
      {"nvm", "cancel"},
      {"u there? need help", "help"},
      {"STREETLITE OUT ON ELM PLS FIX", "report_problem"},
      {"HELLO", "greeting"},
      {"👍", "affirm"},
      {"👎", "deny"},
      {"🙏", "thanks"},
      {"👋", "greeting"},
      {"xfa ayuda", "help"},
      {"grax", "thanks"},
  });
}

TEST_CASE("precedence a careful operator would use") {
  check_table({
      // an actionable request beats social talk
      {"thanks! also there's a dead raccoon on 5th", "report_problem"},
      {"hi, there's graffiti all over the bus stop", "report_problem"},
      {"hola, hay basura tirada en el parque", "report_problem"},
      // a place alone answers "where"; a place with a problem is a report
      {"55 n center st", "provide_location"},
      {"pothole at 55 n center st", "report_problem"},
      // about an existing report
      {"it's still not fixed", "check_status"},
      {"the pothole on elm is still not fixed", "check_status"},
      {"todavía no lo han arreglado", "check_status"},
      // bare carrier keywords
      {"STOP", "opt_out"},
      {"Unsubscribe", "opt_out"},
      {"quit", "opt_out"},
      {"PARAR", "opt_out"},
      // ... but not inside a sentence
      {"the stop sign is knocked down", "report_problem"},
  });
}

TEST_CASE("resolved problems and nothing at all") {
  check_table({
      {"the pothole got fixed, thank you!", "thanks"},
      {"asdfgh qwerty", "unknown"},
      {"", "unknown"},
  });
}

TEST_CASE("context: the answer the dialog asked for") {
  context where;
  where.expecting = expectation::location;
  check_table({{"55 n center st", "provide_location"},
               {"Main and Center", "provide_location"},
               {"1400 Alma School", "provide_location"}},
              where);

  context yes_no;
  yes_no.expecting = expectation::yes_no;
  check_table({{"y", "affirm"}, {"n", "deny"}, {"ok", "affirm"}}, yes_no);
  // A yes or no with a reason is still the answer; without the question it is a report.
  check_table({{"sí, está bloqueando el carril", "affirm"},
               {"yes its blocking the driveway", "affirm"},
               {"no, nothing is blocked", "deny"},
               {"no, it's on 1st Ave", "provide_location"}},
              yes_no);
  CHECK(test::read("yes its blocking the driveway").intent == intent::report_problem);

  context menu;
  menu.expecting = expectation::choice;
  menu.choices = {"pothole", "streetlight", "human_agent"};
  const understanding two = test::read("2", menu);
  CHECK(two.choice == 2);
  CHECK(two.intent == intent::report_problem);
  CHECK(two.category == "streetlight");
  CHECK(test::read("3", menu).intent == intent::human_agent);
  // A polite word or two around the number changes nothing; a keyword does.
  CHECK(test::read("2 please", menu).category == "streetlight");
  CHECK(test::read("#3 pls", menu).intent == intent::human_agent);
  CHECK_FALSE(test::read("2 potholes", menu).choice);
  CHECK(test::read("2 potholes", menu).category == "pothole");

  // "Which report?" lists tracking ids: the number picks one to check on.
  context pick;
  pick.expecting = expectation::choice;
  pick.choices = {"311-000120", "311-000118"};
  CHECK(test::read("2", pick).intent == intent::check_status);
  CHECK(test::read("2", pick).choice == 2);

  // Asked to describe the problem, words the rules cannot otherwise read describe it.
  context describe;
  describe.expecting = expectation::description;
  check_table({{"its about 2 feet wide and cars keep swerving", "report_problem"},
               {"mide como medio metro, los carros se desvían", "report_problem"},
               {"its really big and right in the middle of the lane", "report_problem"},
               {"thank you so much", "thanks"},
               {"ok", "affirm"},
               {"talk to a real person", "human_agent"}},
              describe);
  CHECK(test::read("its about 2 feet wide and cars keep swerving").intent == intent::unknown);
  // Such a description names no kind of problem, so it claims no category.
  CHECK_FALSE(test::read("está muy hondo y en el carril de bicis", describe).category);
}

TEST_CASE("runner-up and confidence order") {
  const understanding u = test::read("thanks! also there's a dead raccoon on 5th");
  CHECK(u.runner_up == intent::thanks);
  CHECK(u.runner_up_confidence < u.intent_confidence);
}

TEST_CASE("language detection with the conversation as tie-breaker") {
  CHECK(test::read("the light is out").lang == language::en);
  CHECK(test::read("la luz está apagada").lang == language::es);
  context es;
  es.language_hint = language::es;
  CHECK(test::read("ok", es).lang == language::es);
  CHECK(test::read("👍", es).lang == language::es);
  CHECK(test::read("👍").lang == language::en);
}
