#include "nlp/typo_index.hpp"

#include <catch2/catch.hpp>

using namespace civicline::nlp;

TEST_CASE("edit distance counts a swap of neighbours once") {
  CHECK(edit_distance("pothole", "pohtole", 2) == 1);
  CHECK(edit_distance("pothole", "potholes", 2) == 1);
  CHECK(edit_distance("graffiti", "grafitti", 2) == 2);
  CHECK(edit_distance("abc", "xyz", 1) == 2);  // gives up above the limit
}

TEST_CASE("typo index finds the nearest word within the allowed distance") {
  typo_index index;
  index.add("pothole", 1);
  index.add("streetlight", 2);
  index.add("leak", 3);
  index.finish();
  CHECK(index.nearest("potole", 1)->value == 1);
  CHECK(index.nearest("stretlihgt", 2)->value == 2);
  CHECK(index.nearest("leek", 1)->value == 3);
  CHECK_FALSE(index.nearest("plothoolle", 1));
  CHECK_FALSE(index.nearest("banana", 2));
}

TEST_CASE("allowed distance grows with word length") {
  CHECK(typo_index::allowed_distance(3) == 0);
  CHECK(typo_index::allowed_distance(4) == 1);
  CHECK(typo_index::allowed_distance(7) == 1);
  CHECK(typo_index::allowed_distance(8) == 2);
}
