#include "core/photo_type.hpp"

#include <array>

namespace civicline::core {

std::optional<photo_type> sniff_photo_type(std::string_view bytes) {
  if (bytes.size() >= 3 && bytes.substr(0, 3) == std::string_view("\xFF\xD8\xFF", 3)) {
    return photo_type::jpeg;
  }
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1A\n", 8)) {
    return photo_type::png;
  }
  // ISO base media file: a box size, "ftyp", then the major brand. These brands are the HEIF
  // image brands phones write (HEIC on iPhones); "mif1" is the generic HEIF still image.
  if (bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp") {
    static constexpr std::array<std::string_view, 8> brands{"heic", "heix", "hevc", "hevx",
                                                            "heim", "heis", "mif1", "msf1"};
    const auto brand = bytes.substr(8, 4);
    for (const auto known : brands) {
      if (brand == known) {
        return photo_type::heic;
      }
    }
  }
  return std::nullopt;
}

std::string_view media_type_of(photo_type type) {
  switch (type) {
    case photo_type::jpeg:
      return "image/jpeg";
    case photo_type::png:
      return "image/png";
    case photo_type::heic:
      return "image/heic";
  }
  return "application/octet-stream";
}

std::string_view extension_of(photo_type type) {
  switch (type) {
    case photo_type::jpeg:
      return "jpg";
    case photo_type::png:
      return "png";
    case photo_type::heic:
      return "heic";
  }
  return "bin";
}

}  // namespace civicline::core
