#include "nlp/stemmer.hpp"

#include <libstemmer.h>

#include <array>
#include <memory>

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

}  // namespace

void stem(language lang, std::string_view word, std::string& out) {
  out.clear();
  sb_stemmer* s = stemmer_for(lang);
  if (s == nullptr || word.empty()) {
    out.assign(word);
    return;
  }
  const sb_symbol* result = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()),
                                            static_cast<int>(word.size()));
  if (result == nullptr) {  // out of memory inside libstemmer: matching the surface is still fine
    out.assign(word);
    return;
  }
  out.assign(reinterpret_cast<const char*>(result), static_cast<std::size_t>(sb_stemmer_length(s)));
}

}  // namespace civicline::nlp
