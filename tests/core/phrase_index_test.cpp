#include "core/phrase_index.hpp"

#include <catch2/catch.hpp>

namespace civicline::core {
namespace {

TEST_CASE("words are runs of letters, digits and non-ASCII bytes", "[phrases]") {
  CHECK(split_words("gas leak!! at 5th-ave") ==
        std::vector<std::string>{"gas", "leak", "at", "5th", "ave"});
  CHECK(split_words("  ...  ").empty());
  CHECK(split_words("está bien") == std::vector<std::string>{"está", "bien"});
}

TEST_CASE("a phrase index finds whole phrases, in order, anywhere in the message", "[phrases]") {
  const phrase_index emergency({"gas leak", "fire", "smell gas", "live wire down"});
  CHECK(emergency.occurs_in(split_words("i smell gas near the school")));
  CHECK(emergency.occurs_in(split_words("fire")));
  CHECK(emergency.occurs_in(split_words("a live wire down on elm")));
  CHECK_FALSE(emergency.occurs_in(split_words("gas station leak")));  // not consecutive
  CHECK_FALSE(emergency.occurs_in(split_words("live wire")));  // the phrase runs past the end
  CHECK_FALSE(emergency.occurs_in(split_words("fireworks")));  // words, not substrings
  CHECK_FALSE(emergency.occurs_in({}));
}

TEST_CASE("equals needs the whole message to be one entry", "[phrases]") {
  const phrase_index opt_out({"stop", "stop all", "unsubscribe"});
  CHECK(opt_out.equals(split_words("stop!")));
  CHECK(opt_out.equals(split_words("stop all")));
  CHECK_FALSE(opt_out.equals(split_words("stop sign down")));
  CHECK_FALSE(opt_out.equals({}));
  CHECK_FALSE(phrase_index({"", "  "}).equals({}));  // entries without words match nothing
}

}  // namespace
}  // namespace civicline::core
