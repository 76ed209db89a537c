#include "core/phrase_index.hpp"

#include <algorithm>
#include <cctype>

namespace civicline::core {

std::vector<std::string> split_words(std::string_view folded) {
  std::vector<std::string> out;
  std::size_t start = 0;
  const auto flush = [&](std::size_t end) {
    if (end > start) {
      out.emplace_back(folded.substr(start, end - start));
    }
  };
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const auto c = static_cast<unsigned char>(folded[i]);
    if (std::isalnum(c) == 0 && c < 0x80) {
      flush(i);
      start = i + 1;
    }
  }
  flush(folded.size());
  return out;
}

phrase_index::phrase_index(const std::vector<std::string>& folded_entries) {
  for (const auto& entry : folded_entries) {
    auto words = split_words(entry);
    if (!words.empty()) {
      auto& bucket = by_first_word_[words.front()];
      bucket.push_back(std::move(words));
    }
  }
}

bool phrase_index::occurs_in(const std::vector<std::string>& words) const {
  for (std::size_t at = 0; at < words.size(); ++at) {
    const auto bucket = by_first_word_.find(std::string_view(words[at]));
    if (bucket == by_first_word_.end()) {
      continue;
    }
    for (const auto& phrase : bucket->second) {
      if (at + phrase.size() <= words.size() &&
          std::equal(phrase.begin(), phrase.end(), words.begin() + static_cast<long>(at))) {
        return true;
      }
    }
  }
  return false;
}

bool phrase_index::equals(const std::vector<std::string>& words) const {
  if (words.empty()) {
    return false;
  }
  const auto bucket = by_first_word_.find(std::string_view(words.front()));
  return bucket != by_first_word_.end() &&
         std::ranges::any_of(bucket->second, [&](const std::vector<std::string>& phrase) {
           return phrase == words;
         });
}

}  // namespace civicline::core
