#pragma once
// Finding the vocabulary word nearest to a misspelling without scanning the vocabulary:
// a symmetric-delete index (every word's deletions up to two, precomputed at load).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace civicline::nlp {

class typo_index {
 public:
  struct hit {
    std::uint32_t value = 0;
    int distance = 0;
  };

  /// Adds a vocabulary word (folded) that stands for `value`; call finish() after the last one.
  void add(std::string_view word, std::uint32_t value);
  /// Sorts the deletion table; the index is read-only afterwards.
  void finish();
  /// The nearest word within `max_distance` (optimal string alignment: a swap counts once).
  std::optional<hit> nearest(std::string_view word, int max_distance) const;
  /// Unique to this index's finish() within the process (never 0 once finished): lets
  /// per-thread caches of lookups tell lexicons apart, even one reloaded at the same address.
  std::uint64_t serial() const { return serial_; }
  /// Bytes held, for the lexicon's memory budget.
  std::size_t memory_bytes() const;

  /// The distance typos are allowed for a word of this many bytes: 1 from 4, 2 from 8.
  static int allowed_distance(std::size_t length) { return length >= 8 ? 2 : length >= 4 ? 1 : 0; }

 private:
  std::vector<std::string> words_;
  std::vector<std::uint32_t> values_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> deletes_;  ///< hash of a deletion -> word
  /// deletes_ index of the first entry per top 16 hash bits: a lookup is one short scan.
  std::vector<std::uint32_t> directory_;
  std::uint64_t serial_ = 0;
};

/// Optimal string alignment distance between two byte strings, giving up above `limit`.
int edit_distance(std::string_view a, std::string_view b, int limit);

}  // namespace civicline::nlp
