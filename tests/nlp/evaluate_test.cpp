#include "nlp/evaluate.hpp"

#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

TEST_CASE("labelled messages from CSV with quotes and from JSON lines") {
  const auto csv = parse_labeled_messages(
      "text,category,source\n"
      "\"pothole, big one\",pothole,x\n"
      "\"he said \"\"hi\"\"\nthen left\",other,y\n");
  REQUIRE(csv.size() == 2);
  CHECK(csv[0].text == "pothole, big one");
  CHECK(csv[1].text == "he said \"hi\"\nthen left");
  CHECK(csv[1].category == "other");

  const auto jsonl = parse_labeled_messages(
      "{\"text\": \"yes\", \"intent\": \"affirm\"}\n\n{\"text\": \"bache\", \"category\": "
      "\"pothole\", \"intent\": \"report_problem\"}\n");
  REQUIRE(jsonl.size() == 2);
  CHECK(jsonl[0].intent == "affirm");
  CHECK_FALSE(jsonl[0].category);
  CHECK_THROWS_AS(parse_labeled_messages("{\"txt\": 1}"), std::invalid_argument);
  CHECK_THROWS_AS(parse_labeled_messages("a,b\n1,2\n"), std::invalid_argument);
}

TEST_CASE("evaluation counts accuracy, confusion and precision/recall") {
  auto labeled = [](std::string text, std::optional<std::string> category, std::string intent) {
    labeled_message m;
    m.text = std::move(text);
    m.category = std::move(category);
    m.intent = std::move(intent);
    return m;
  };
  const std::vector<labeled_message> messages = {
      labeled("huge pothole on elm", "pothole", "report_problem"),
      labeled("the street light is out", "pothole", "report_problem"),
      labeled("hello", std::nullopt, "greeting"),
  };
  const evaluation result = evaluate(messages, test::demo_lexicon());
  CHECK(result.category.total == 2);
  CHECK(result.category.correct == 1);
  CHECK(result.category.counts.at("pothole").at("streetlight") == 1);
  CHECK(result.intent.accuracy() == 1.0);
  const std::string report = format_evaluation(result);
  CHECK_THAT(report, Catch::Contains("category accuracy: 0.5000"));
  CHECK_THAT(report, Catch::Contains("pothole"));
}

TEST_CASE("labelled JSON lines carry language, place, tracking id and the dialog's context") {
  const auto messages = parse_labeled_messages(
      R"({"text": "55 n center st", "intent": "provide_location", "lang": "en", )"
      R"("address": "55 n center st", "context": {"expecting": "location", "lang": "en"}})"
      "\n"
      R"({"text": "2", "intent": "check_status", "address": null, )"
      R"("context": {"expecting": "choice", "choices": ["report_problem", "check_status"]}})"
      "\n"
      R"({"text": "status 311004512", "intent": "check_status", "tracking_id": "311-004512"})"
      "\n");
  REQUIRE(messages.size() == 3);
  CHECK(messages[0].address_labelled);
  CHECK(messages[0].address == std::pair<std::size_t, std::size_t>{0, 14});
  CHECK(messages[0].context.expecting == expectation::location);
  CHECK(messages[0].context.language_hint == language::en);
  CHECK(messages[0].lang == "en");
  CHECK(messages[1].address_labelled);
  CHECK_FALSE(messages[1].address);
  CHECK(messages[1].context.choices == std::vector<std::string>{"report_problem", "check_status"});
  CHECK_FALSE(messages[2].address_labelled);
  CHECK(messages[2].tracking_id == "311-004512");

  // The context is what makes "2" a status check: evaluate passes it to understand().
  const evaluation result = evaluate(messages, test::demo_lexicon());
  CHECK(result.intent.accuracy() == 1.0);
  CHECK(result.language.total == 1);
  CHECK(result.tracking_labelled == 1);
  CHECK(result.tracking_right == 1);
  CHECK(result.address.labelled == 1);
  CHECK(result.address.exact == 1);
  CHECK(result.address.without == 1);
  CHECK(result.address.false_alarm == 0);
  CHECK(result.misses.empty());
}

TEST_CASE("address scoring tells an exact span from one that is off, missed or invented") {
  auto labelled = [](std::string text, std::optional<std::string> place) {
    labeled_message m;
    m.text = std::move(text);
    m.address_labelled = true;
    if (place) {
      const auto at = m.text.find(*place);
      m.address = std::pair{at, at + place->size()};
    }
    return m;
  };
  const std::vector<labeled_message> messages = {
      labelled("pothole at 1400 N Alma School Rd", "1400 N Alma School Rd"),  // exact
      labelled("pothole at 1400 N Alma School Rd", "Alma School Rd"),         // span off
      labelled("pothole by my house", "my house"),                            // missed
      labelled("streetlight out on Maple St", std::nullopt),                  // false alarm
  };
  const evaluation result = evaluate(messages, test::demo_lexicon());
  CHECK(result.address.labelled == 3);
  CHECK(result.address.exact == 1);
  CHECK(result.address.span_off == 1);
  CHECK(result.address.missed == 1);
  CHECK(result.address.without == 1);
  CHECK(result.address.false_alarm == 1);
  REQUIRE(result.misses.size() == 3);
  CHECK(result.misses[0].field == "address (span off)");
  CHECK(result.misses[0].predicted == "1400 N Alma School Rd");
  const std::string report = format_evaluation(result);
  CHECK_THAT(report, Catch::Contains("address accuracy (exact span): 0.3333 (1/3)"));
  CHECK_THAT(report, Catch::Contains("found, span off: 1"));
  CHECK_THAT(format_misses(messages, result),
             Catch::Contains("address (missed): my house -> (none)  | pothole by my house"));
}

TEST_CASE("malformed labels are refused with the line and what to write instead") {
  CHECK_THROWS_WITH(parse_labeled_messages("{\"text\": \"pothole on elm\", \"address\": \"main\"}"),
                    Catch::Contains("line 1") && Catch::Contains("exact text of the place"));
  CHECK_THROWS_WITH(parse_labeled_messages("{\"text\": \"x\"}\n{\"text\": \"y\", \"context\": "
                                           "{\"expecting\": \"address\"}}"),
                    Catch::Contains("line 2") && Catch::Contains("context.expecting"));
  CHECK_THROWS_WITH(parse_labeled_messages("{\"text\": \"x\", \"lang\": \"fr\"}"),
                    Catch::Contains("\"lang\" must be en or es"));
}
