#pragma once
// The public thumbnail of a resident's photo: decoded, scaled down and encoded again as a new
// baseline JPEG, so nothing of the original file (EXIF with GPS position, camera serial,
// XMP, ICC, comments) survives; only pixels are copied. JPEG through libjpeg-turbo, PNG through
// libpng's simplified API. HEIC is not decoded (no libheif): staff see the original only.

#include <optional>
#include <string>
#include <string_view>

#include "core/photo_type.hpp"

namespace civicline::server {

/// Pictures larger than this many pixels are refused before decoding (a decompression bomb
/// of a few kilobytes could otherwise ask for gigabytes).
inline constexpr std::uint64_t max_photo_pixels = 100'000'000;

struct thumbnail_result {
  std::string jpeg;     ///< the thumbnail; empty when the photo could not be read
  std::string problem;  ///< why not, for the resident ("" when fine)
};

/// A JPEG at most `max_side` pixels wide and high of the JPEG or PNG `bytes`.
thumbnail_result make_thumbnail(std::string_view bytes, core::photo_type type, int max_side);

}  // namespace civicline::server
