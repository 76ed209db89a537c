#pragma once
// The NLP module's one entry point: a resident's message in, what it means out.

#include <string_view>

#include "nlp/lexicon.hpp"
#include "nlp/understanding.hpp"

namespace civicline::nlp {

/// Reads one message: its language, intent, category and entities (with byte spans into
/// `text`). Pure and thread-safe; never throws on odd input (invalid UTF-8, empty, huge).
understanding understand(std::string_view text, const lexicon& lex, const context& ctx = {});

}  // namespace civicline::nlp
