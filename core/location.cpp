#include "core/location.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "nlp/normalize.hpp"

namespace civicline::core {
namespace {

// Long form -> the short form both spellings end up as (USPS abbreviations, plus Spanish).
constexpr std::array<std::pair<std::string_view, std::string_view>, 60> contractions{{
    {"street", "st"},
    {"str", "st"},
    {"avenue", "ave"},
    {"av", "ave"},
    {"avenida", "ave"},
    {"road", "rd"},
    {"boulevard", "blvd"},
    {"blv", "blvd"},
    {"bulevar", "blvd"},
    {"drive", "dr"},
    {"lane", "ln"},
    {"court", "ct"},
    {"place", "pl"},
    {"parkway", "pkwy"},
    {"highway", "hwy"},
    {"circle", "cir"},
    {"terrace", "ter"},
    {"trail", "trl"},
    {"square", "sq"},
    {"expressway", "expy"},
    {"freeway", "fwy"},
    {"alley", "aly"},
    {"crossing", "xing"},
    {"cove", "cv"},
    {"turnpike", "tpke"},
    {"route", "rte"},
    {"plaza", "plz"},
    {"carretera", "carr"},
    {"north", "n"},
    {"south", "s"},
    {"east", "e"},
    {"west", "w"},
    {"northeast", "ne"},
    {"northwest", "nw"},
    {"southeast", "se"},
    {"southwest", "sw"},
    {"norte", "n"},
    {"sur", "s"},
    {"oriente", "e"},
    {"este", "e"},
    {"poniente", "w"},
    {"oeste", "w"},
    {"first", "1st"},
    {"second", "2nd"},
    {"third", "3rd"},
    {"fourth", "4th"},
    {"fifth", "5th"},
    {"sixth", "6th"},
    {"seventh", "7th"},
    {"eighth", "8th"},
    {"ninth", "9th"},
    {"tenth", "10th"},
    {"and", "&"},
    {"y", "&"},
    {"at", "&"},
    {"@", "&"},
    {"the", ""},
    {"el", ""},
    {"la", ""},
    {"of", ""},
}};

std::string_view contract(std::string_view word) {
  for (const auto& [from, to] : contractions) {
    if (from == word)
      return to;
  }
  return word;
}

bool is_word_byte(unsigned char c) {
  return std::isalnum(c) != 0 || c >= 0x80;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty())
      out += ' ';
    out += w;
  }
  return out;
}

}  // namespace

std::string location_key(std::string_view text) {
  const std::string folded = nlp::fold(text);
  std::vector<std::string> words;
  std::string current;
  auto flush = [&] {
    if (current.empty())
      return;
    const std::string_view short_form = contract(current);
    if (!short_form.empty())
      words.emplace_back(short_form);
    current.clear();
  };
  for (const char ch : folded) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_word_byte(c)) {
      current += ch;
    } else {
      flush();
      if (ch == '&' || ch == '@' || ch == '/')
        words.emplace_back("&");
    }
  }
  flush();
  // "Main St & 5th Ave" and "5th Ave & Main St" are the same corner: order the two sides.
  const auto amp = std::find(words.begin(), words.end(), "&");
  if (amp != words.end() && amp != words.begin() && amp + 1 != words.end()) {
    std::vector<std::string> left(words.begin(), amp);
    std::vector<std::string> right(amp + 1, words.end());
    right.erase(std::remove(right.begin(), right.end(), "&"), right.end());
    std::string a = join(left);
    std::string b = join(right);
    if (b < a)
      std::swap(a, b);
    return a + " & " + b;
  }
  words.erase(std::remove(words.begin(), words.end(), "&"), words.end());
  return join(words);
}

}  // namespace civicline::core
