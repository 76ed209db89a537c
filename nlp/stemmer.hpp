#pragma once
// Snowball stemming (libstemmer) for the supported languages.

#include <string>
#include <string_view>

#include "nlp/understanding.hpp"

namespace civicline::nlp {

/// The Snowball stem of a folded word, written into `out`; safe to call from any thread.
void stem(language lang, std::string_view word, std::string& out);

}  // namespace civicline::nlp
