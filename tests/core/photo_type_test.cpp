#include "core/photo_type.hpp"

#include <catch2/catch.hpp>
#include <string>

namespace civicline::core {
namespace {

using namespace std::string_literals;

TEST_CASE("photos are known by their first bytes", "[photo_type]") {
  CHECK(sniff_photo_type("\xFF\xD8\xFF\xE0rest"s) == photo_type::jpeg);
  CHECK(sniff_photo_type("\x89PNG\r\n\x1A\nrest"s) == photo_type::png);
  CHECK(sniff_photo_type("\0\0\0\x18" "ftypheic\0\0\0\0"s) == photo_type::heic);
  CHECK(sniff_photo_type("\0\0\0\x18"
                         "ftypmif1\0\0\0\0"s) == photo_type::heic);
  // An MP4 video has an ftyp box too, with another brand.
  CHECK_FALSE(
      sniff_photo_type("\0\0\0\x18"
                       "ftypisom\0\0\0\0"s));
  CHECK_FALSE(sniff_photo_type("<html><script>"));
  CHECK_FALSE(sniff_photo_type("GIF89a"));
  CHECK_FALSE(sniff_photo_type("\xFF\xD8"s));  // too short to be sure
  CHECK_FALSE(sniff_photo_type(""));
  CHECK(media_type_of(photo_type::heic) == "image/heic");
  CHECK(extension_of(photo_type::jpeg) == "jpg");
}

}  // namespace
}  // namespace civicline::core
