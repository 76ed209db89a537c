#pragma once
// Weighing the evidence: which weighted keywords and phrases of a pack occur in a message.

#include <array>
#include <span>
#include <vector>

#include "nlp/word_token.hpp"

namespace civicline::nlp {

struct evidence {
  std::array<float, intent_count> intents{};
  std::vector<float> categories;  ///< indexed like lexicon::categories()
};

/// Sums the weights of the pack's terms found among the tokens. Longer phrases win over the
/// words inside them; each term counts once; a term in a negation's scope counts against.
evidence score_terms(const language_pack& pack, std::span<const word_token> tokens,
                     std::size_t category_count);

}  // namespace civicline::nlp
