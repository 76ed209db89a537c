// Places that use the full reach of the address rules: the finder gives up early where no
// connector or landmark type is close enough (nlp/address.cpp), and these must still be found.

#include <catch2/catch.hpp>

#include "tests/nlp/test_lexicon.hpp"

using namespace civicline::nlp;

namespace {
std::string only_address(const std::string& text) {
  const understanding u = test::read(text);
  std::string found;
  for (const auto& e : u.entities) {
    if (e.kind == entity_kind::address)
      found += (found.empty() ? "" : " | ") + e.value;
  }
  return found;
}
}  // namespace

TEST_CASE("an intersection whose connector is as far as a first street can reach") {
  // directional, its dot, three names, suffix, its dot, directional, then "&"
  CHECK(only_address("pothole at N. Old Mill Creek Rd. E & 5th St") ==
        "N. Old Mill Creek Rd. E & 5th St");
  // one name more: the first street stops at three names, so there is no intersection, only
  // the two streets, each found on its own
  CHECK(only_address("light out at N. Old Mill Creek Fox Rd. E & 5th St") ==
        "N. Old Mill Creek Fox Rd. E | 5th St");
}

TEST_CASE("a landmark whose type follows as many names as it may") {
  CHECK(only_address("graffiti at Old Mill Creek Park") == "Old Mill Creek Park");
  CHECK(only_address("graffiti at Old Mill Creek Fox Park") == "Mill Creek Fox Park");
}
