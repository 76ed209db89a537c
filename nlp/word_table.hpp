#pragma once
// A flat hash table from folded words to small values: open addressing with linear probing,
// keys kept back to back in one string. A lookup is one hash of the word and, nearly always,
// one cache line of slots and one key comparison; std::unordered_map costs a division and
// a pointer chase per probe, and the word lookups are most of what a message costs.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::nlp {

namespace detail {
// The bytes of a string of 1 to 8 bytes packed into a number (with its length, a different
// number for each string): overlapping loads inside the string, no byte-by-byte loop.
inline std::uint64_t pack_short(const unsigned char* p, std::size_t n) noexcept {
  auto load32 = [](const unsigned char* q) {
    std::uint32_t v;
    std::memcpy(&v, q, 4);
    return static_cast<std::uint64_t>(v);
  };
  if (n >= 4)
    return load32(p) | (load32(p + n - 4) << 32);
  return static_cast<std::uint64_t>(p[0]) | (static_cast<std::uint64_t>(p[n / 2]) << 8) |
         (static_cast<std::uint64_t>(p[n - 1]) << 16);
}

inline std::uint64_t mix(std::uint64_t x) noexcept {
  x *= 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}
}  // namespace detail

/// A fast 64-bit hash of a byte string (words are 2-12 bytes): eight bytes at a time, each
/// mixed with a multiply.
inline std::uint64_t word_hash(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t n = s.size();
  std::uint64_t h = 0xC2B2AE3D27D4EB4Full ^ n;
  if (n == 0)
    return detail::mix(h);
  while (n > 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    h = detail::mix(h ^ v);
    p += 8;
    n -= 8;
  }
  return detail::mix(detail::mix(h ^ detail::pack_short(p, n)));
}

/// a == b for two strings of the same length, without a call for the short ones.
inline bool same_bytes(const char* a, const char* b, std::size_t n) noexcept {
  if (n == 0)
    return true;
  if (n <= 8) {
    return detail::pack_short(reinterpret_cast<const unsigned char*>(a), n) ==
           detail::pack_short(reinterpret_cast<const unsigned char*>(b), n);
  }
  return std::memcmp(a, b, n) == 0;
}

template <class V>
class word_table {
 public:
  /// The value stored for `key`, or nullptr. `hash` must be word_hash(key).
  const V* find(std::string_view key, std::uint64_t hash) const {
    if (slots_.empty())
      return nullptr;
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const slot s = slots_[i];
      if (s.entry == 0)
        return nullptr;
      if (s.tag == tag) {
        const entry& e = entries_[s.entry - 1];
        if (e.key_length == key.size() &&
            same_bytes(keys_.data() + e.key_begin, key.data(), key.size())) {
          return &e.value;
        }
      }
    }
  }
  const V* find(std::string_view key) const { return find(key, word_hash(key)); }

  /// The value for `key`, inserted as V{} if absent.
  V& operator[](std::string_view key) {
    const std::uint64_t hash = word_hash(key);
    if (const V* found = find(key, hash))
      return const_cast<V&>(*found);
    return insert(key, hash, V{});
  }

  /// Adds a key that is not in the table yet.
  V& insert(std::string_view key, std::uint64_t hash, V value) {
    if ((entries_.size() + 1) * 2 > slots_.size())
      grow();
    entries_.push_back(entry{static_cast<std::uint32_t>(keys_.size()),
                             static_cast<std::uint32_t>(key.size()), std::move(value)});
    keys_.append(key);
    place(hash, static_cast<std::uint32_t>(entries_.size()));
    return entries_.back().value;
  }

  void clear() {
    slots_.assign(slots_.size(), slot{});
    entries_.clear();
    keys_.clear();
  }

  std::size_t size() const { return entries_.size(); }

  /// Calls fn(key, value) for every entry, in insertion order.
  template <class Fn>
  void for_each(Fn&& fn) {
    for (entry& e : entries_)
      fn(std::string_view(keys_).substr(e.key_begin, e.key_length), e.value);
  }

  std::size_t memory_bytes() const {
    return slots_.capacity() * sizeof(slot) + entries_.capacity() * sizeof(entry) +
           keys_.capacity();
  }

 private:
  struct slot {
    std::uint32_t tag = 0;    ///< high half of the key's hash
    std::uint32_t entry = 0;  ///< 1 + index in entries_; 0 is an empty slot
  };
  struct entry {
    std::uint32_t key_begin;
    std::uint32_t key_length;
    V value;
  };

  void place(std::uint64_t hash, std::uint32_t entry_number) {
    std::size_t i = hash & mask_;
    while (slots_[i].entry != 0)
      i = (i + 1) & mask_;
    slots_[i] = slot{static_cast<std::uint32_t>(hash >> 32), entry_number};
  }

  // Doubles the slots (at most half full, so probes stay short) and places every key again.
  void grow() {
    const std::size_t size = slots_.empty() ? 64 : slots_.size() * 2;
    slots_.assign(size, slot{});
    mask_ = size - 1;
    for (std::size_t k = 0; k < entries_.size(); ++k) {
      const entry& e = entries_[k];
      place(word_hash(std::string_view(keys_).substr(e.key_begin, e.key_length)),
            static_cast<std::uint32_t>(k + 1));
    }
  }

  std::vector<slot> slots_;
  std::vector<entry> entries_;
  std::string keys_;
  std::size_t mask_ = 0;
};

}  // namespace civicline::nlp
