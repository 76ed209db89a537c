#include "tests/nlp/test_lexicon.hpp"

#include <fstream>
#include <sstream>
#include <vector>

namespace civicline::nlp::test {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

const lexicon& demo_lexicon() {
  static const std::shared_ptr<const lexicon> lex = [] {
    const std::string dir = std::string(CIVICLINE_SOURCE_DIR) + "/config/nlp/";
    std::vector<rule_pack_source> packs{{dir + "en.json", read_file(dir + "en.json")},
                                        {dir + "es.json", read_file(dir + "es.json")}};
    return lexicon::compile(packs);
  }();
  return *lex;
}

understanding read(std::string_view text, const context& ctx) {
  return understand(text, demo_lexicon(), ctx);
}

}  // namespace civicline::nlp::test
