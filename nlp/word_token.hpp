#pragma once
// A token after rewrites and word lookup in one language: what matching and entity
// finding work on.

#include <cstdint>
#include <string_view>

#include "nlp/lexicon.hpp"
#include "nlp/tokenize.hpp"

namespace civicline::nlp {

struct word_token {
  std::uint32_t begin = 0;  ///< byte span in the original text
  std::uint32_t end = 0;
  std::string_view norm;  ///< folded text (owned by the token_stream or the lexicon)
  token_kind kind = token_kind::word;
  bool capitalized = false;
  bool skip = false;             ///< an article or filler that phrases may step over
  bool taken = false;            ///< inside an entity, so not evidence for a keyword
  bool keyword = false;          ///< starts at least one term of the pack
  std::uint32_t word = no_word;  ///< word id in the pack, after stemming or typo correction
  std::uint32_t roles = 0;       ///< role bits of the folded text (see lexicon.hpp)
};

}  // namespace civicline::nlp
