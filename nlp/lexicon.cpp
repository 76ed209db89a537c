#include "nlp/lexicon.hpp"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "nlp/normalize.hpp"
#include "nlp/stemmer.hpp"
#include "nlp/tokenize.hpp"

namespace civicline::nlp {

lexicon_error::lexicon_error(std::string file, std::string json_path, std::string problem)
    : std::runtime_error(file + ": " + (json_path.empty() ? std::string() : json_path + ": ") +
                         problem),
      file_(std::move(file)),
      json_path_(std::move(json_path)),
      problem_(std::move(problem)) {}

using json = nlohmann::json;

struct lexicon_builder {
  const std::string& file;
  language_pack& pack;
  string_map<int>& category_ids;
  std::vector<std::string>& categories;
  word_table<known_word>& known;
  string_set unstemmed;
  string_map<std::size_t> term_keys;  ///< word ids + target -> index in pack.terms
  string_map<std::uint32_t> roles;    ///< folded word -> role bits, merged from the lists

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw lexicon_error(file, path, problem);
  }

  const json* optional_member(const json& obj, const char* key, const std::string& path,
                              json::value_t type) const {
    auto it = obj.find(key);
    if (it == obj.end())
      return nullptr;
    const std::string here = path.empty() ? key : path + "." + key;
    if (type == json::value_t::number_float ? !it->is_number() : it->type() != type) {
      const char* want = type == json::value_t::object   ? "an object"
                         : type == json::value_t::array  ? "an array"
                         : type == json::value_t::string ? "a string"
                                                         : "a number";
      fail(here, std::string("must be ") + want + ", not " + it->type_name());
    }
    return &*it;
  }

  std::vector<std::string> string_list(const json& obj, const char* key,
                                       const std::string& path) const {
    std::vector<std::string> out;
    const json* list = optional_member(obj, key, path, json::value_t::array);
    if (list == nullptr)
      return out;
    const std::string here = path.empty() ? key : path + "." + key;
    for (std::size_t i = 0; i < list->size(); ++i) {
      const json& item = (*list)[i];
      if (!item.is_string()) {
        fail(here + "[" + std::to_string(i) + "]",
             "must be a string, not " + std::string(item.type_name()));
      }
      std::string folded = fold(item.get<std::string>());
      if (folded.empty())
        fail(here + "[" + std::to_string(i) + "]", "must not be empty");
      out.push_back(std::move(folded));
    }
    return out;
  }

  string_set string_set_of(const json& obj, const char* key, const std::string& path) const {
    auto list = string_list(obj, key, path);
    return string_set(list.begin(), list.end());
  }

  std::uint32_t intern(std::string_view surface, token_kind kind) {
    std::string stemmed;
    if (kind == token_kind::word && unstemmed.contains(surface)) {
      // A word whose stem collides with another keyword's ("parking" -> "park") keeps
      // its own id; the '=' cannot occur in a stem.
      stemmed = "=" + std::string(surface);
    } else if (kind == token_kind::word) {
      stem(pack.lang, surface, stemmed);
    } else {
      stemmed.assign(surface);
    }
    auto [it, inserted] =
        pack.stems.try_emplace(stemmed, static_cast<std::uint32_t>(pack.words.size()));
    if (inserted)
      pack.words.push_back(stemmed);
    const std::uint32_t id = it->second;
    if (pack.surfaces.try_emplace(std::string(surface), id).second && kind == token_kind::word) {
      pack.typos.add(surface, id);
      if (stemmed != surface)
        pack.typos.add(stemmed, id);
    }
    return id;
  }

  // Splits a phrase exactly as a message would be split, so both sides agree.
  std::vector<std::uint32_t> compile_phrase(const std::string& phrase, const std::string& path) {
    std::vector<std::uint32_t> words;
    const token_stream ts = tokenize(phrase);
    // Interior articles are optional ("hole in the road" matches "hole in road"); a first
    // or last one is required, or "recoger mi" would shrink to "recoger".
    std::size_t index = 0;
    const std::size_t count = ts.tokens.size();
    auto add = [&](std::string_view norm, token_kind kind) {
      const bool interior = index > 1 && index < count;
      if (interior && pack.skip_words.contains(norm))
        return;
      words.push_back(intern(norm, kind));
    };
    for (const token& t : ts.tokens) {
      ++index;
      if (t.kind == token_kind::punct)
        continue;
      const std::string_view norm = ts.norm(t);
      auto rw = pack.rewrites.find(norm);
      if (rw != pack.rewrites.end() && t.kind == token_kind::word) {
        for (const auto& w : rw->second)
          add(w, token_kind::word);
      } else {
        add(norm, t.kind);
      }
    }
    if (words.empty())
      fail(path, "has no words to match");
    return words;
  }

  void compile_terms(const json& obj, const std::string& path, target_kind kind,
                     std::uint16_t target) {
    const json* terms = optional_member(obj, "terms", path, json::value_t::object);
    if (terms == nullptr)
      fail(path, "needs \"terms\": an object of phrase -> weight");
    for (const auto& [phrase, weight] : terms->items()) {
      const std::string here = path + ".terms[\"" + phrase + "\"]";
      if (!weight.is_number() || !std::isfinite(weight.get<double>()) ||
          weight.get<double>() == 0.0) {
        fail(here, "weight must be a non-zero number");
      }
      term t{compile_phrase(phrase, here), kind, target, static_cast<float>(weight.get<double>())};
      // "tiro" and "tiraron" stem alike: one term with the larger weight, not two that add up.
      std::string key(reinterpret_cast<const char*>(t.words.data()), t.words.size() * 4);
      key += static_cast<char>(kind);
      key.append(reinterpret_cast<const char*>(&target), sizeof target);
      auto [it, inserted] = term_keys.try_emplace(key, pack.terms.size());
      if (inserted) {
        pack.terms.push_back(std::move(t));
      } else if (std::abs(t.weight) > std::abs(pack.terms[it->second].weight)) {
        pack.terms[it->second].weight = t.weight;
      }
    }
    const json* examples = optional_member(obj, "examples", path, json::value_t::array);
    if (examples != nullptr) {
      for (std::size_t i = 0; i < examples->size(); ++i) {
        if (!(*examples)[i].is_string()) {
          fail(path + ".examples[" + std::to_string(i) + "]", "must be a string");
        }
      }
    }
  }

  void read_scoring(const json& root) {
    const json* s = optional_member(root, "scoring", "", json::value_t::object);
    if (s == nullptr)
      return;
    auto number = [&](const char* key, auto& field, double min, double max) {
      const json* v = optional_member(*s, key, "scoring", json::value_t::number_float);
      if (v == nullptr)
        return;
      const double d = v->get<double>();
      if (!(d >= min && d <= max)) {
        fail(std::string("scoring.") + key,
             "must be between " + std::to_string(min) + " and " + std::to_string(max));
      }
      field = static_cast<std::remove_reference_t<decltype(field)>>(d);
    };
    auto& sc = pack.scoring;
    number("min_intent", sc.min_intent, 0, 100);
    number("min_category", sc.min_category, 0, 100);
    number("prior", sc.prior, 0.01, 100);
    number("category_to_report", sc.category_to_report, 0, 10);
    number("tracking_id_to_status", sc.tracking_id_to_status, 0, 100);
    number("address_to_location", sc.address_to_location, 0, 100);
    number("expectation_boost", sc.expectation_boost, 0, 100);
    number("negation_window", sc.negation_window, 1, 10);
  }

  void read_address(const json& root) {
    const json* a = optional_member(root, "address", "", json::value_t::object);
    if (a == nullptr)
      return;
    const std::string p = "address";
    auto& r = pack.address;
    r.street_suffixes = string_set_of(*a, "street_suffixes", p);
    r.street_types_before = string_set_of(*a, "street_types_before", p);
    r.directionals = string_set_of(*a, "directionals", p);
    r.unit_markers = string_set_of(*a, "unit_markers", p);
    r.ordinal_words = string_set_of(*a, "ordinal_words", p);
    r.connectors = string_set_of(*a, "connectors", p);
    r.location_cues = string_set_of(*a, "location_cues", p);
    for (const char* key : {"corner_cues", "block_cues"}) {
      auto& cues = std::string_view(key) == "corner_cues" ? r.corner_cues : r.block_cues;
      for (const auto& cue : string_list(*a, key, p)) {
        std::vector<std::string> words;
        const token_stream ts = tokenize(cue);
        for (const token& t : ts.tokens)
          words.emplace_back(ts.norm(t));
        cues.push_back(std::move(words));
      }
    }
    r.landmark_types = string_set_of(*a, "landmark_types", p);
    r.landmark_types_before = string_set_of(*a, "landmark_types_before", p);
    r.landmark_names = string_set_of(*a, "landmark_names", p);
    r.landmark_links = string_set_of(*a, "landmark_links", p);
    r.states = string_set_of(*a, "states", p);
    r.zip_cues = string_set_of(*a, "zip_cues", p);
    r.number_markers = string_set_of(*a, "number_markers", p);
    r.non_names = string_set_of(*a, "non_names", p);
    // "Alma School", "Val Vista": each word is marked; the finder asks that all of a
    // street's name words are known.
    for (const auto& street : string_list(*a, "street_names", p)) {
      const token_stream ts = tokenize(street);
      for (const token& t : ts.tokens) {
        if (t.kind == token_kind::word)
          r.street_names.emplace(ts.norm(t));
      }
    }
  }

  void compile(const json& root) {
    if (!root.is_object())
      fail("", "the rule pack must be a JSON object");
    pack.markers = string_set_of(root, "markers", "");
    pack.skip_words = string_set_of(root, "skip_words", "");
    pack.not_typos = string_set_of(root, "not_typos", "");
    pack.opt_out_keywords = string_set_of(root, "opt_out_keywords", "");
    pack.tracking_cues = string_set_of(root, "tracking_cues", "");
    unstemmed = string_set_of(root, "unstemmed", "");
    if (const json* letters = optional_member(root, "marker_letters", "", json::value_t::array)) {
      for (std::size_t i = 0; i < letters->size(); ++i) {
        if (!(*letters)[i].is_string())
          fail("marker_letters[" + std::to_string(i) + "]", "must be a string");
        pack.marker_letters.push_back((*letters)[i].get<std::string>());
      }
    }
    if (const json* rw = optional_member(root, "rewrites", "", json::value_t::object)) {
      for (const auto& [from, to] : rw->items()) {
        const std::string here = "rewrites[\"" + from + "\"]";
        if (!to.is_string())
          fail(here, "must be a string (the words it stands for)");
        std::vector<std::string> words;
        const token_stream ts = tokenize(to.get<std::string>());
        for (const token& t : ts.tokens) {
          if (t.kind != token_kind::punct)
            words.emplace_back(ts.norm(t));
        }
        if (words.empty())
          fail(here, "must name at least one word");
        const std::string key = fold(from);
        if (key.empty())
          fail(here, "the abbreviation must not be empty");
        pack.rewrites[key] = std::move(words);
      }
    }
    read_scoring(root);
    read_address(root);
    if (const json* neg = optional_member(root, "negation", "", json::value_t::object)) {
      pack.scope_breaks = string_set_of(*neg, "scope_breaks", "negation");
      const json* words = optional_member(*neg, "words", "negation", json::value_t::array);
      for (std::size_t i = 0; words != nullptr && i < words->size(); ++i) {
        const std::string here = "negation.words[" + std::to_string(i) + "]";
        if (!(*words)[i].is_string())
          fail(here, "must be a string");
        pack.terms.push_back(term{compile_phrase((*words)[i].get<std::string>(), here),
                                  target_kind::negator, 0, 0.0f});
      }
    }
    const json* intents = optional_member(root, "intents", "", json::value_t::object);
    if (intents == nullptr)
      fail("intents", "is required: an object of intent id -> terms");
    for (const auto& [id, body] : intents->items()) {
      const std::string here = "intents." + id;
      auto value = intent_from_string(id);
      if (!value) {
        fail(here,
             "unknown intent id; use one of report_problem, check_status, greeting, help, "
             "opt_out, human_agent, provide_location, affirm, deny, cancel, thanks");
      }
      if (!body.is_object())
        fail(here, "must be an object with \"terms\"");
      compile_terms(body, here, target_kind::intent, static_cast<std::uint16_t>(*value));
    }
    const json* cats = optional_member(root, "categories", "", json::value_t::object);
    if (cats == nullptr)
      fail("categories", "is required: an object of category id -> terms");
    for (const auto& [id, body] : cats->items()) {
      const std::string here = "categories." + id;
      const bool valid_id = !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
      });
      if (!valid_id)
        fail(here, "a category id is lower case letters, digits, '_' or '-'");
      if (!body.is_object())
        fail(here, "must be an object with \"terms\"");
      auto [it, inserted] = category_ids.try_emplace(id, static_cast<int>(categories.size()));
      if (inserted)
        categories.push_back(id);
      compile_terms(body, here, target_kind::category, static_cast<std::uint16_t>(it->second));
    }
    // Index terms by their first word so matching looks only at terms that can start here.
    pack.terms_by_first_word.assign(pack.words.size(), {});
    for (std::size_t i = 0; i < pack.terms.size(); ++i) {
      pack.terms_by_first_word[pack.terms[i].words.front()].push_back(
          static_cast<std::uint32_t>(i));
    }
    pack.typos.finish();
    auto mark = [&](const string_set& words, std::uint32_t bit) {
      for (const auto& w : words)
        roles[w] |= bit;
    };
    const address_rules& a = pack.address;
    mark(pack.markers, role::marker);
    mark(pack.skip_words, role::skip);
    mark(pack.not_typos, role::not_typo);
    mark(a.street_suffixes, role::street_suffix);
    mark(a.street_types_before, role::street_type_before);
    mark(a.directionals, role::directional);
    mark(a.unit_markers, role::unit_marker);
    mark(a.ordinal_words, role::ordinal_word);
    mark(a.connectors, role::connector);
    mark(a.location_cues, role::location_cue);
    mark(a.landmark_types, role::landmark_type);
    mark(a.landmark_types_before, role::landmark_type_before);
    mark(a.landmark_names, role::landmark_name);
    mark(a.landmark_links, role::landmark_link);
    mark(a.states, role::state);
    mark(a.zip_cues, role::zip_cue);
    mark(a.number_markers, role::number_marker);
    mark(a.non_names, role::non_name);
    mark(a.street_names, role::street_name);
    mark(pack.opt_out_keywords, role::opt_out);
    mark(pack.tracking_cues, role::tracking_cue);
    mark(pack.scope_breaks, role::scope_break);
    for (const auto& [w, id] : pack.surfaces)
      roles[w] |= role::vocabulary;
    for (const auto& [w, words] : pack.rewrites)
      roles[w] |= role::vocabulary;
    for (const auto& cue : a.corner_cues) {
      if (cue.empty())
        pack.address.empty_corner_cue = true;
      else
        roles[cue.back()] |= role::corner_cue_end;
    }
    fill_known_words();
  }

  // Enters what this pack makes of each word it gives a role into the lexicon's word table.
  void fill_known_words() {
    const auto lang = static_cast<std::size_t>(pack.lang);
    std::string scratch;
    for (const auto& [w, bits] : roles) {
      pack_word& pw = known[w].in[lang];
      pw.roles = bits;
      // Worked out now for every word with a role that messages use often (markers, articles,
      // street words...); the thousands of words that are only not_typos on demand, as
      // stemming them all would double the load time.
      if ((bits & ~role::not_typo) != 0)
        pw.word = pack.resolve(w, bits, scratch);
      if (auto it = pack.surfaces.find(w); it != pack.surfaces.end())
        pw.surface = it->second;
    }
    for (const auto& [key, words] : pack.rewrites) {
      std::vector<rewritten_word> list;
      for (const std::string& w : words) {
        auto it = roles.find(w);
        const std::uint32_t bits = it == roles.end() ? 0 : it->second;
        list.push_back(rewritten_word{w, bits, pack.resolve(w, bits, scratch)});
      }
      pack.rewrite_lists.push_back(std::move(list));
      known[key].in[lang].rewrite = static_cast<std::uint32_t>(pack.rewrite_lists.size());
    }
  }
};

namespace {
bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}
}  // namespace

std::uint32_t language_pack::resolve(std::string_view s, std::uint32_t roles,
                                     std::string& scratch) const {
  // Every keyword surface has the vocabulary role, so most words skip this lookup.
  if ((roles & role::vocabulary) != 0) {
    if (auto it = surfaces.find(s); it != surfaces.end())
      return it->second;
  }
  stem(lang, s, scratch);
  if (auto it = stems.find(scratch); it != stems.end())
    return it->second;
  // Typos: only for words that are not themselves common words ("dark" is not "park").
  const int allowed = typo_index::allowed_distance(s.size());
  if (allowed == 0 || has_digit(s) ||
      (roles & (role::not_typo | role::marker | role::skip | role::non_name)) != 0) {
    return no_word;
  }
  if (auto hit = typos.nearest(s, allowed))
    return hit->value;
  return no_word;
}

std::shared_ptr<const lexicon> lexicon::compile(std::span<const rule_pack_source> packs,
                                                const lexicon_options& options) {
  if (packs.empty())
    throw lexicon_error("(rule packs)", "", "at least one rule pack is needed");
  if (options.tracking_id_digits < 1 || options.tracking_id_digits > 12) {
    throw lexicon_error("(config)", "city.tracking_id_digits", "must be between 1 and 12");
  }
  std::shared_ptr<lexicon> out(new lexicon());
  out->options_ = options;
  string_map<int> category_ids;
  out->packs_.reserve(packs.size());
  for (const auto& source : packs) {
    json root;
    try {
      root = json::parse(source.json);
    } catch (const json::parse_error& e) {
      throw lexicon_error(source.label, "",
                          "not valid JSON at byte " + std::to_string(e.byte) + ": " + e.what());
    }
    const json* lang_field =
        root.is_object() && root.contains("language") ? &root["language"] : nullptr;
    if (lang_field == nullptr || !lang_field->is_string()) {
      throw lexicon_error(source.label, "language", "is required: \"en\" or \"es\"");
    }
    auto lang = language_from_string(lang_field->get<std::string>());
    if (!lang)
      throw lexicon_error(source.label, "language", "must be \"en\" or \"es\"");
    if (out->pack(*lang) != nullptr) {
      throw lexicon_error(source.label, "language",
                          "a pack for \"" + std::string(to_string(*lang)) + "\" is already loaded");
    }
    language_pack& pack = out->packs_.emplace_back();
    pack.lang = *lang;
    pack.label = source.label;
    lexicon_builder builder{source.label, pack, category_ids, out->categories_,
                            out->words_,  {},   {},           {}};
    builder.compile(root);
  }
  auto other = category_ids.find("other");
  if (other == category_ids.end()) {
    out->other_category_ = static_cast<int>(out->categories_.size());
    out->categories_.emplace_back("other");
  } else {
    out->other_category_ = other->second;
  }
  return out;
}

const language_pack* lexicon::pack(language lang) const {
  for (const auto& p : packs_) {
    if (p.lang == lang)
      return &p;
  }
  return nullptr;
}

int lexicon::category_index(std::string_view id) const {
  for (std::size_t i = 0; i < categories_.size(); ++i) {
    if (categories_[i] == id)
      return static_cast<int>(i);
  }
  return -1;
}

namespace {
template <class Set>
std::size_t set_bytes(const Set& s) {
  std::size_t total = s.bucket_count() * sizeof(void*) + s.size() * (sizeof(std::string) + 32);
  for (const auto& item : s) {
    if constexpr (requires { item.first; }) {
      total += item.first.capacity();
    } else {
      total += item.capacity();
    }
  }
  return total;
}
}  // namespace

std::size_t lexicon::memory_bytes() const {
  std::size_t total = sizeof(lexicon);
  total += words_.memory_bytes();
  for (const auto& p : packs_) {
    total += sizeof(p) + p.typos.memory_bytes() + set_bytes(p.surfaces) + set_bytes(p.stems) +
             set_bytes(p.markers) + set_bytes(p.skip_words) + set_bytes(p.not_typos) +
             set_bytes(p.rewrites) + set_bytes(p.address.street_suffixes) +
             set_bytes(p.address.non_names) + set_bytes(p.address.landmark_names) +
             set_bytes(p.address.street_names);
    for (const auto& w : p.words)
      total += sizeof(w) + w.capacity();
    for (const auto& t : p.terms)
      total += sizeof(t) + t.words.capacity() * 4;
    for (const auto& v : p.terms_by_first_word)
      total += sizeof(v) + v.capacity() * 4;
    for (const auto& [k, v] : p.rewrites) {
      for (const auto& w : v)
        total += sizeof(w) + w.capacity();
    }
    for (const auto& list : p.rewrite_lists) {
      for (const auto& w : list)
        total += sizeof(w) + w.norm.capacity();
    }
  }
  return total;
}

}  // namespace civicline::nlp
