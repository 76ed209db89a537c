#include "core/location.hpp"

#include <catch2/catch.hpp>

namespace civicline::core {

TEST_CASE("the same place written differently gets the same key", "[location]") {
  CHECK(location_key("55 N Center St") == "55 n center st");
  CHECK(location_key("55 North Center Street") == "55 n center st");
  CHECK(location_key("  55   n.  CENTER   st. ") == "55 n center st");
  CHECK(location_key("1st Avenue") == location_key("First Ave"));
  CHECK(location_key("Main St and 5th Ave") == location_key("5th Avenue & Main Street"));
  CHECK(location_key("Calle Juárez 45") == "calle juarez 45");
  CHECK(location_key("Avenida Central 12 Norte") == location_key("Av. Central 12 N"));
}

TEST_CASE("different places keep different keys", "[location]") {
  CHECK(location_key("55 N Center St") != location_key("55 S Center St"));
  CHECK(location_key("55 N Center St") != location_key("56 N Center St"));
  CHECK(location_key("") == "");
}

}  // namespace civicline::core
