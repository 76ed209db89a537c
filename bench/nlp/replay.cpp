// Replays a corpus through nlp::understand and prints one understanding per line, like
// `civicline classify --jsonl`, but with raw bytes (invalid UTF-8 cannot travel inside JSON)
// and a dialog context per line. bench/nlp/same_output.sh builds it twice, against two
// versions of nlp/, and diffs the outputs.
//
// Usage: replay RULES_DIR < corpus
// Each corpus line is "EXPECT LANG HEX": EXPECT one of none, location, yes_no, choice,
// description; LANG one of -, en, es (the conversation's language); HEX the message bytes.

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "nlp/understand.hpp"

using namespace civicline::nlp;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw std::runtime_error("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

bool unhex(const std::string& hex, std::string& out) {
  out.clear();
  if (hex.size() % 2 != 0)
    return false;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const int hi = hex_value(hex[i]);
    const int lo = hex_value(hex[i + 1]);
    if (hi < 0 || lo < 0)
      return false;
    out.push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

bool parse_context(const std::string& expect, const std::string& lang, context& ctx) {
  ctx = context{};
  if (expect == "location") {
    ctx.expecting = expectation::location;
  } else if (expect == "yes_no") {
    ctx.expecting = expectation::yes_no;
  } else if (expect == "choice") {
    ctx.expecting = expectation::choice;
    ctx.choices = {"pothole", "streetlight", "check_status"};
  } else if (expect == "description") {
    ctx.expecting = expectation::description;
  } else if (expect != "none") {
    return false;
  }
  if (lang != "-") {
    ctx.language_hint = language_from_string(lang);
    if (!ctx.language_hint)
      return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: replay RULES_DIR < corpus   (lines of \"EXPECT LANG HEX\")\n";
    return 2;
  }
  const std::string dir = std::string(argv[1]) + "/";
  std::vector<rule_pack_source> packs{{dir + "en.json", read_file(dir + "en.json")},
                                      {dir + "es.json", read_file(dir + "es.json")}};
  const auto lex = lexicon::compile(packs);
  std::string line;
  std::string text;
  std::size_t line_no = 0;
  while (std::getline(std::cin, line)) {
    ++line_no;
    std::istringstream fields(line);
    std::string expect;
    std::string lang;
    std::string hex;
    fields >> expect >> lang >> hex;
    context ctx;
    if (!parse_context(expect, lang, ctx) || !unhex(hex, text)) {
      std::cerr << "replay: line " << line_no << ": expected \"EXPECT LANG HEX\"\n";
      return 2;
    }
    std::cout << to_json(understand(text, *lex, ctx)) << "\n";
  }
  return 0;
}
