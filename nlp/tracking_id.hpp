#pragma once
// Finding request tracking ids in any form a resident types them and writing them the one
// way the system stores them.

#include <span>
#include <string_view>
#include <vector>

#include "nlp/understanding.hpp"
#include "nlp/word_token.hpp"

namespace civicline::nlp {

/// Appends tracking_id entities (value: prefix + zero-padded digits) and marks their tokens.
/// Accepts "311-004512", "311 004512", "311004512", "#4512" and "ticket 4512".
void find_tracking_ids(const lexicon& lex, std::span<word_token> tokens, std::vector<entity>& out);

/// The canonical id for a number, e.g. ("4512") -> "311-004512", if it has few enough digits.
std::optional<std::string> canonical_tracking_id(const lexicon_options& options,
                                                 std::string_view digits);

}  // namespace civicline::nlp
