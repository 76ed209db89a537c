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
  const std::vector<labeled_message> messages = {
      {"huge pothole on elm", "pothole", "report_problem"},
      {"the street light is out", "pothole", "report_problem"},
      {"hello", std::nullopt, "greeting"},
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
