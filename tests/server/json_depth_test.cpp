#include "server/http/json_depth.hpp"

#include <catch2/catch.hpp>
#include <string>

using civicline::server::is_json_media_type;
using civicline::server::json_nests_deeper_than;

TEST_CASE("the JSON depth guard counts nested arrays and objects") {
  CHECK_FALSE(json_nests_deeper_than(R"({"a": [1, {"b": []}]})", 4));  // { [ { [
  CHECK(json_nests_deeper_than(R"({"a": [1, {"b": []}]})", 3));
  CHECK(json_nests_deeper_than(R"({"a": [1, {"b": [[]]}]})", 4));
  CHECK_FALSE(json_nests_deeper_than("[[]][[]][[]]", 2));  // siblings do not add up
  CHECK(json_nests_deeper_than(std::string(1'000'000, '['), 64));
  CHECK_FALSE(json_nests_deeper_than("", 0));
}

TEST_CASE("brackets inside JSON strings do not count, escaped quotes included") {
  CHECK_FALSE(json_nests_deeper_than(R"({"text": "[[[[[[{{{{"})", 1));
  CHECK_FALSE(json_nests_deeper_than(R"({"text": "a \" [[[[[[ \\"})", 1));
  CHECK(json_nests_deeper_than(R"({"text": "\\", "x": [[]]})", 2));
}

TEST_CASE("JSON media types are application/json and any +json, parameters ignored") {
  CHECK(is_json_media_type("application/json"));
  CHECK(is_json_media_type("Application/JSON; charset=utf-8"));
  CHECK(is_json_media_type("application/merge-patch+json"));
  CHECK_FALSE(is_json_media_type("application/x-www-form-urlencoded"));
  CHECK_FALSE(is_json_media_type("text/plain"));
}
