#include "nlp/typo_index.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>

namespace civicline::nlp {
namespace {

constexpr std::size_t max_word = 48;  // longer "words" are URLs or noise, never typos

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

// Calls fn(deletion) for the word and each deletion of up to `depth` bytes. Uses a stack
// buffer so lookups at run time do not allocate.
template <class Fn>
void for_each_deletion(std::string_view word, int depth, Fn&& fn) {
  fn(word);
  if (depth <= 0 || word.size() <= 1)
    return;
  std::array<char, max_word> buf{};
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (i > 0 && word[i] == word[i - 1])
      continue;  // deleting either of a double letter is the same
    std::size_t len = 0;
    for (std::size_t j = 0; j < word.size(); ++j) {
      if (j != i)
        buf[len++] = word[j];
    }
    for_each_deletion(std::string_view(buf.data(), len), depth - 1, fn);
  }
}

}  // namespace

int edit_distance(std::string_view a, std::string_view b, int limit) {
  if (std::abs(static_cast<int>(a.size()) - static_cast<int>(b.size())) > limit)
    return limit + 1;
  if (a.size() >= max_word || b.size() >= max_word)
    return limit + 1;
  // Three rolling rows are enough for the transposition rule.
  std::array<int, max_word + 1> prev2{}, prev{}, cur{};
  for (std::size_t j = 0; j <= b.size(); ++j)
    prev[j] = static_cast<int>(j);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = static_cast<int>(i);
    int row_min = cur[0];
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      int v = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        v = std::min(v, prev2[j - 2] + 1);
      }
      cur[j] = v;
      row_min = std::min(row_min, v);
    }
    if (row_min > limit)
      return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.size()];
}

void typo_index::add(std::string_view word, std::uint32_t value) {
  if (word.size() < 3 || word.size() >= max_word)
    return;
  const auto id = static_cast<std::uint32_t>(words_.size());
  words_.emplace_back(word);
  values_.push_back(value);
  // A query of 8+ bytes may be two edits away, and such a query is at least 6 bytes long.
  const int depth = word.size() >= 6 ? 2 : 1;
  for_each_deletion(word, depth, [&](std::string_view d) { deletes_.emplace_back(fnv1a(d), id); });
}

void typo_index::finish() {
  static std::atomic<std::uint64_t> next_serial{0};
  serial_ = ++next_serial;
  std::sort(deletes_.begin(), deletes_.end());
  deletes_.erase(std::unique(deletes_.begin(), deletes_.end()), deletes_.end());
  deletes_.shrink_to_fit();
  directory_.assign((1u << 16) + 1, 0);
  std::size_t k = 0;
  for (std::uint32_t bucket = 0; bucket <= (1u << 16); ++bucket) {
    while (k < deletes_.size() && (deletes_[k].first >> 48) < bucket)
      ++k;
    directory_[bucket] = static_cast<std::uint32_t>(k);
  }
}

std::optional<typo_index::hit> typo_index::nearest(std::string_view word, int max_distance) const {
  if (max_distance <= 0 || word.size() >= max_word)
    return std::nullopt;
  std::optional<hit> best;
  std::uint32_t best_word = 0;
  for_each_deletion(word, max_distance, [&](std::string_view d) {
    const std::uint64_t h = fnv1a(d);
    if (directory_.empty())
      return;
    const auto bucket = static_cast<std::size_t>(h >> 48);
    auto it = deletes_.begin() + directory_[bucket];
    const auto bucket_end = deletes_.begin() + directory_[bucket + 1];
    while (it != bucket_end && it->first < h)
      ++it;
    for (; it != deletes_.end() && it->first == h; ++it) {
      const std::string& candidate = words_[it->second];
      const int limit = best ? std::min(best->distance, max_distance) : max_distance;
      const int dist = edit_distance(word, candidate, limit);
      if (dist > limit)
        continue;
      // Ties go to the word added first: rule packs list the most common words first.
      if (!best || dist < best->distance || (dist == best->distance && it->second < best_word)) {
        best = hit{values_[it->second], dist};
        best_word = it->second;
      }
    }
  });
  return best;
}

std::size_t typo_index::memory_bytes() const {
  std::size_t total =
      deletes_.capacity() * sizeof(deletes_[0]) + directory_.capacity() * sizeof(std::uint32_t) +
      values_.capacity() * sizeof(std::uint32_t) + words_.capacity() * sizeof(std::string);
  for (const auto& w : words_)
    total += w.capacity() + 1;
  return total;
}

}  // namespace civicline::nlp
