#pragma once
// Finding street addresses, intersections, landmarks and zip codes among the tokens.

#include <span>
#include <string_view>
#include <vector>

#include "nlp/understanding.hpp"
#include "nlp/word_token.hpp"

namespace civicline::nlp {

struct address_input {
  std::string_view text;  ///< the original message, for entity values
  const language_pack& pack;
  bool capitals_meaningful = true;  ///< false for all-caps messages
  bool expecting_location = false;  ///< the dialog asked where; read terse replies as places
};

/// Appends address entities to `out` and marks their tokens as taken.
void find_addresses(const address_input& in, std::span<word_token> tokens,
                    std::vector<entity>& out);

}  // namespace civicline::nlp
