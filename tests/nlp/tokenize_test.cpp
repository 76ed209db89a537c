#include "nlp/tokenize.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace civicline::nlp;

namespace {

// Empty when the tokens, their spans, kinds, folded texts and all_caps agree; else what differs.
std::string difference(std::string_view text) {
  const token_stream fast = tokenize(text);
  const token_stream icu = tokenize_with_icu(text);
  std::ostringstream diff;
  if (fast.all_caps != icu.all_caps)
    diff << "all_caps " << fast.all_caps << " vs " << icu.all_caps << "; ";
  if (fast.tokens.size() != icu.tokens.size())
    diff << fast.tokens.size() << " tokens vs " << icu.tokens.size() << "; ";
  for (std::size_t i = 0; i < std::min(fast.tokens.size(), icu.tokens.size()); ++i) {
    const token& a = fast.tokens[i];
    const token& b = icu.tokens[i];
    if (a.begin != b.begin || a.end != b.end || a.kind != b.kind ||
        a.capitalized != b.capitalized || fast.norm(a) != icu.norm(b)) {
      diff << "token " << i << ": [" << a.begin << "," << a.end << ") kind "
           << static_cast<int>(a.kind) << " '" << fast.norm(a) << "' vs [" << b.begin << ","
           << b.end << ") kind " << static_cast<int>(b.kind) << " '" << icu.norm(b) << "'";
      break;
    }
  }
  return diff.str();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("tokenize agrees with ICU on word boundaries of ASCII text") {
  const char* cases[] = {
      "a:b",
      "a.b",
      "a'b",
      "can't",
      "1.5",
      "1,000",
      "1;2",
      "1:2",
      "a_1",
      "_",
      "__",
      "_a",
      "a_",
      "1_",
      "_1",
      "1__",
      "_1_",
      "5th",
      "a1",
      "a.1",
      "1.a",
      "a,b",
      "1'2",
      "a..b",
      "a\"b",
      "1.2.3",
      "a'",
      "'a",
      "1e5",
      "a-b",
      "a\x01"
      "b",
      "\t\t",
      "  x  ",
      "x\r\ny",
      "1.5_",
      "a_.b",
      "1,_",
      "U.S.A.",
      "Mr. Smith",
      "311-004512",
      "$1,000.50!!",
      "#14F",
      "e-mail@x.org",
      "ALL CAPS",
      "OK",
      "I'm HERE",
      "\x7f",
      "",
      " ",
      "a\x0b"
      "b\x0c"
      "c",
      "1400 N Alma School Rd",
      "what's up?",
      "3.14159,2.7",
      "a'b'c",
      "a'.b",
  };
  for (const char* text : cases) {
    INFO("text: '" << text << "'");
    CHECK(difference(text) == "");
  }
}

TEST_CASE("tokenize agrees with ICU on random ASCII text") {
  // Weighted towards the characters that take part in word-break rules.
  const std::string common = "aZbY09_.',;: \t\n\r\"-#@!?";
  std::mt19937 random(20240611);
  std::uniform_int_distribution<int> length(0, 16);
  std::uniform_int_distribution<int> pick(0, static_cast<int>(common.size()) - 1);
  std::uniform_int_distribution<int> any(0, 127);
  std::bernoulli_distribution rare(0.15);
  int failures = 0;
  for (int n = 0; n < 100000 && failures < 5; ++n) {
    std::string text;
    const int len = length(random);
    for (int i = 0; i < len; ++i)
      text.push_back(static_cast<char>(rare(random) ? any(random) : common[pick(random)]));
    const std::string diff = difference(text);
    if (!diff.empty()) {
      ++failures;
      FAIL_CHECK("text '" << text << "': " << diff);
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("tokenize agrees with ICU on ASCII next to other characters") {
  // Accents, combining marks, zero-width joiners, emoji, other spaces, curly quotes, CJK,
  // Hebrew and invalid bytes, right against spaces, digits and the joining punctuation.
  const std::vector<std::string> pieces = {"a",
                                           "Z",
                                           "1",
                                           "_",
                                           ".",
                                           "'",
                                           ",",
                                           " ",
                                           "\t",
                                           "\r\n",
                                           "-",
                                           "é",
                                           "\xCC\x81",
                                           "\xE2\x80\x8D",
                                           "😡",
                                           "👍🏽",
                                           "\xC2\xA0",
                                           "\xE3\x80\x80",
                                           "\xE2\x80\x99",
                                           "日本",
                                           "\xD7\x90",
                                           "\"",
                                           "\xFF",
                                           "\xC3",
                                           "🇺🇸",
                                           "\xEF\xB8\x8F",
                                           "ñ",
                                           "\xE2\x80\x8B",
                                           "Á",
                                           "ß",
                                           "ÿ",
                                           "İ",
                                           "Σ",
                                           "ς",
                                           "Ж",
                                           "ª",
                                           "ŉ",
                                           "ǅ",
                                           "ʼ",
                                           "·",
                                           "¿",
                                           "¡",
                                           "“",
                                           "–",
                                           "€",
                                           "©",
                                           "\xC2\xAD",
                                           "\xE2\x80\x98",
                                           "١"};
  std::mt19937 random(7);
  std::uniform_int_distribution<int> length(0, 12);
  std::uniform_int_distribution<std::size_t> pick(0, pieces.size() - 1);
  int failures = 0;
  for (int n = 0; n < 50000 && failures < 5; ++n) {
    std::string text;
    const int len = length(random);
    for (int i = 0; i < len; ++i)
      text += pieces[pick(random)];
    const std::string diff = difference(text);
    if (!diff.empty()) {
      ++failures;
      FAIL_CHECK("text '" << text << "': " << diff);
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("tokenize agrees with ICU on each character the fast path may take, in context") {
  // Every code point of the ranges the fast path reads without ICU (two-byte letters,
  // punctuation, symbols, emoji), alone and beside letters, digits, itself and apostrophes.
  const std::pair<char32_t, char32_t> ranges[] = {
      {0x80, 0x800},    {0x2000, 0x2070}, {0x20A0, 0x20D0}, {0x2100, 0x2C00},
      {0x3000, 0x3040}, {0xFE00, 0xFE70}, {0xFF00, 0xFFF0}, {0x1F000, 0x1FB00}};
  const char* contexts[][2] = {{"", ""},     {"a", "a"},  {"1", "1"},       {"A", "b"},
                               {"x ", " y"}, {"a'", "s"}, {"\xC3\xA1", ""}, {"", "'s"}};
  int failures = 0;
  for (const auto& [from, to] : ranges) {
    for (char32_t c = from; c < to && failures < 5; ++c) {
      std::string utf8;
      if (c < 0x800) {
        utf8 = {static_cast<char>(0xC0 | (c >> 6)), static_cast<char>(0x80 | (c & 0x3F))};
      } else if (c < 0x10000) {
        utf8 = {static_cast<char>(0xE0 | (c >> 12)), static_cast<char>(0x80 | ((c >> 6) & 0x3F)),
                static_cast<char>(0x80 | (c & 0x3F))};
      } else {
        utf8 = {static_cast<char>(0xF0 | (c >> 18)), static_cast<char>(0x80 | ((c >> 12) & 0x3F)),
                static_cast<char>(0x80 | ((c >> 6) & 0x3F)), static_cast<char>(0x80 | (c & 0x3F))};
      }
      std::vector<std::string> texts{utf8 + utf8};
      for (const auto& [before, after] : contexts)
        texts.push_back(before + utf8 + after);
      for (const std::string& t : texts) {
        const std::string diff = difference(t);
        if (!diff.empty()) {
          ++failures;
          FAIL_CHECK("U+" << std::hex << static_cast<std::uint32_t>(c) << " in '" << t
                          << "': " << diff);
        }
      }
    }
  }
  CHECK(failures == 0);
}

TEST_CASE("tokenize agrees with ICU on the shared 311 data") {
  // Real messages, when the evaluation data (outside the repository) is present.
  const std::filesystem::path dir =
      std::filesystem::path(CIVICLINE_SOURCE_DIR) / ".." / "shared" / "data" / "311";
  if (!std::filesystem::is_directory(dir))
    return;
  std::size_t lines = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".csv")
      continue;
    std::istringstream in(read_file(entry.path()));
    for (std::string line; std::getline(in, line); ++lines) {
      INFO(entry.path().filename().string() << ": '" << line << "'");
      REQUIRE(difference(line) == "");
    }
  }
  CHECK(lines > 0);
}
