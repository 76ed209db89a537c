#include "nlp/stemmer.hpp"

#include <libstemmer.h>

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

namespace civicline::nlp {
namespace {

struct stemmer_deleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};
using stemmer_ptr = std::unique_ptr<sb_stemmer, stemmer_deleter>;

sb_stemmer* stemmer_for(language lang) {
  // A sb_stemmer keeps per-call state, so each thread owns one per language.
  thread_local std::array<stemmer_ptr, 2> stemmers;
  auto& slot = stemmers[static_cast<std::size_t>(lang)];
  if (!slot)
    slot.reset(sb_stemmer_new(lang == language::es ? "spanish" : "english", "UTF_8"));
  return slot.get();
}

struct view_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Stems depend only on the language and the word, and a stream of messages repeats its words,
// so each thread remembers recent ones. Bounded: cleared when full.
using stem_cache = std::unordered_map<std::string, std::string, view_hash, std::equal_to<>>;
constexpr std::size_t max_cached_stems = 8192;
constexpr std::size_t max_cached_word = 48;

bool stem_uncached(language lang, std::string_view word, std::string& out);

}  // namespace

void stem(language lang, std::string_view word, std::string& out) {
  if (word.empty() || word.size() > max_cached_word) {
    stem_uncached(lang, word, out);
    return;
  }
  thread_local std::array<stem_cache, 2> caches;
  auto& cache = caches[static_cast<std::size_t>(lang)];
  if (auto it = cache.find(word); it != cache.end()) {
    out.assign(it->second);
    return;
  }
  if (!stem_uncached(lang, word, out))
    return;  // libstemmer failed: do not remember the fallback
  if (cache.size() >= max_cached_stems)
    cache.clear();
  cache.emplace(std::string(word), out);
}

namespace {

bool stem_uncached(language lang, std::string_view word, std::string& out) {
  out.clear();
  sb_stemmer* s = stemmer_for(lang);
  if (s == nullptr || word.empty()) {
    out.assign(word);
    return false;
  }
  const sb_symbol* result = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()),
                                            static_cast<int>(word.size()));
  if (result == nullptr) {  // out of memory inside libstemmer: matching the surface is still fine
    out.assign(word);
    return false;
  }
  out.assign(reinterpret_cast<const char*>(result), static_cast<std::size_t>(sb_stemmer_length(s)));
  return true;
}

}  // namespace

}  // namespace civicline::nlp
