#pragma once
// Folding text for matching: the one place that decides when two spellings are "the same".

#include <cstdint>
#include <string>
#include <string_view>

namespace civicline::nlp {

/// Appends the folded form of UTF-16 text to `out`: NFKC + case fold, accents removed,
/// typographic apostrophes straightened, emoji variation selectors and skin tones dropped.
void fold_utf16_append(const char16_t* text, std::int32_t length, std::string& out);

/// The folded form of UTF-8 text; invalid bytes become U+FFFD, never an error.
std::string fold(std::string_view utf8);

}  // namespace civicline::nlp
