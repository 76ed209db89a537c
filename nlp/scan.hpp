#pragma once
// Entities found on the raw bytes because their shape, not their words, defines them:
// e-mail addresses, web links, phone numbers and latitude/longitude pairs.

#include <string_view>
#include <utility>
#include <vector>

#include "nlp/understanding.hpp"

namespace civicline::nlp {

struct scan_result {
  std::vector<entity> entities;                             ///< email, phone, lat_long
  std::vector<std::pair<std::size_t, std::size_t>> masked;  ///< spans no keyword may match in
};

/// Finds e-mail addresses, links, phone numbers and lat/long pairs in the original text.
scan_result scan_shaped_entities(std::string_view text);

}  // namespace civicline::nlp
