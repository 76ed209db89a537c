#include <catch2/catch.hpp>
#include <filesystem>

#include "nlp/evaluate.hpp"
#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

// The real 311 texts live outside the repository (evaluation only, non-commercial licence).
// The floor is the accuracy reached when the rule packs were last tuned (docs/NLP.md); a
// change to the rules or the code that loses accuracy fails here.
TEST_CASE("category accuracy on real 311 texts does not drop") {
  const std::string path =
      std::string(CIVICLINE_SOURCE_DIR) + "/../shared/data/311/real_311_normalised.csv";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is absent (evaluation data is not shipped with civicline)");
    return;
  }
  const auto messages = parse_labeled_messages(test::read_file(path));
  REQUIRE(messages.size() > 1000);
  const evaluation result = evaluate(messages, test::demo_lexicon());
  INFO(format_evaluation(result));
  constexpr double floor = 0.48;
  CHECK(result.category.accuracy() >= floor);
}
