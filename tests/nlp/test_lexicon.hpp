#pragma once
// The demo city's rule packs (config/nlp/*.json), compiled once for all tests.

#include <string>

#include "nlp/lexicon.hpp"
#include "nlp/understand.hpp"

namespace civicline::nlp::test {

/// The compiled config/nlp/en.json + es.json with default options.
const lexicon& demo_lexicon();

/// A file's bytes, or "" if it cannot be read.
std::string read_file(const std::string& path);

/// understand() with the demo lexicon.
understanding read(std::string_view text, const context& ctx = {});

}  // namespace civicline::nlp::test
