#include "nlp/address.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace civicline::nlp {
namespace {

constexpr std::size_t max_name_words = 4;
constexpr std::size_t landmark_name_words = 3;  ///< at most, before the type: "Emerald Park"

// How far past its first token street(i, max_names) can end: a directional and its dot, the
// names, a suffix and its dot, and a directional after it.
constexpr std::size_t street_reach(std::size_t max_names) {
  return 2 + max_names + 2 + 1;
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct street_match {
  std::size_t begin = 0;
  std::size_t end = 0;  ///< one past the last token
  bool suffix = false;
  bool directional = false;
  bool ordinal = false;
  bool capitalized = true;  ///< every name word starts with a capital
  bool known = true;        ///< every name word is a word of one of the city's streets
  std::size_t names = 0;
};

class finder {
 public:
  finder(const address_input& in, std::span<word_token> t, std::vector<entity>& out)
      : in_(in), r_(in.pack.address), t_(t), out_(out) {}

  void run() {
    for (std::size_t i = 0; i < t_.size();) {
      if (t_[i].taken) {
        ++i;
        continue;
      }
      std::size_t end = 0;
      if ((end = street_address(i)) || (end = intersection(i)) || (end = landmark(i)) ||
          (end = street_only(i)) || (end = zip(i))) {
        i = end;
      } else {
        ++i;
      }
    }
  }

 private:
  const address_input& in_;
  const address_rules& r_;
  std::span<word_token> t_;
  std::vector<entity>& out_;
  bool lenient_names_ = false;  ///< keywords may be names: "corner of main and center"

  bool ok(std::size_t i) const { return i < t_.size() && !t_[i].taken; }
  std::string_view norm(std::size_t i) const { return ok(i) ? t_[i].norm : std::string_view(); }
  bool in(std::uint32_t role_bit, std::size_t i) const {
    return ok(i) && t_[i].kind != token_kind::number && (t_[i].roles & role_bit) != 0;
  }
  bool punct(std::size_t i, std::string_view p) const {
    return ok(i) && t_[i].kind == token_kind::punct && t_[i].norm == p;
  }
  bool adjacent(std::size_t a, std::size_t b) const { return t_[a].end == t_[b].begin; }
  // Skips an abbreviation's full stop ("Rd.", "N.") that is glued to the word.
  std::size_t after_dot(std::size_t i) const {
    return (punct(i, ".") && adjacent(i - 1, i) && i + 1 < t_.size()) ? i + 1 : i;
  }
  bool capital(std::size_t i) const { return !in_.capitals_meaningful || t_[i].capitalized; }

  bool house_number(std::size_t i) const {
    if (!ok(i))
      return false;
    const std::string_view s = t_[i].norm;
    if (t_[i].kind == token_kind::number)
      return all_digits(s) && s.size() <= 6;
    // "123a": digits and one letter
    return t_[i].kind == token_kind::word && s.size() >= 2 && s.size() <= 7 && s[0] >= '0' &&
           s[0] <= '9' && all_digits(s.substr(0, s.size() - 1)) && s.back() >= 'a' &&
           s.back() <= 'z';
  }

  bool ordinal(std::size_t i) const {
    if (!ok(i) || t_[i].kind != token_kind::word)
      return false;
    return (t_[i].roles & role::ordinal_word) != 0;  // word lists and "5th" (set in words_for)
  }

  bool plain_word(std::size_t i) const {
    if (!ok(i) || t_[i].kind != token_kind::word)
      return false;
    constexpr std::uint32_t never_names =
        role::skip | role::non_name | role::marker | role::connector | role::location_cue |
        role::street_suffix | role::unit_marker | role::landmark_link;
    return (t_[i].roles & never_names) == 0;
  }

  // A word that can be part of a street name. Keywords ("broken", "light") qualify only
  // when written with a capital or right before a street suffix ("Water St").
  bool name(std::size_t i) const {
    if (ordinal(i))
      return true;
    if (!plain_word(i))
      return false;
    if (!t_[i].keyword || lenient_names_ || (t_[i].roles & role::street_name) != 0)
      return true;  // one of the city's streets may share a keyword: "Main" (water main)
    return (in_.capitals_meaningful && t_[i].capitalized) ||
           in(role::street_suffix, after_dot(i + 1));
  }

  street_match street(std::size_t i, std::size_t max_names = max_name_words) const {
    street_match m;
    m.begin = i;
    std::size_t j = i;
    if (in(role::directional, j)) {
      const std::size_t k = after_dot(j + 1);
      if (name(k)) {
        m.directional = true;
        j = k;
      }
    }
    while (m.names < max_names && name(j)) {
      m.ordinal = m.ordinal || ordinal(j);
      m.capitalized = m.capitalized && (capital(j) || ordinal(j));
      m.known = m.known && (t_[j].roles & role::street_name) != 0;
      ++m.names;
      ++j;
      if (in(role::street_suffix, j))
        break;
    }
    if (m.names == 0) {
      m.known = false;
      return m;
    }
    if (in(role::street_suffix, j)) {
      m.suffix = true;
      j = after_dot(j + 1);
      if (in(role::directional, j) && !name(j + 1)) {
        m.directional = true;
        ++j;
      }
    }
    m.end = j;
    while (m.end > m.begin && t_[m.end - 1].kind == token_kind::punct)
      --m.end;
    assert(m.end <= i + street_reach(max_names));  // what the rules' early exits rely on
    return m;
  }

  // Whether a token in [from, to) has this role bit, taken or not: a quick bound that lets a
  // rule give up before it reads names. The rules ask from ever later tokens, so each role
  // remembers where its next token is.
  struct next_with_role {
    std::uint32_t bit;
    std::size_t from = 0;
    std::size_t at = 0;  ///< the first token at or after `from` with the bit
  };
  bool role_within(next_with_role& next, std::size_t from, std::size_t to) const {
    if (from < next.from || next.at < from) {
      next.from = from;
      next.at = from;
      while (next.at < t_.size() && (t_[next.at].roles & next.bit) == 0)
        ++next.at;
    }
    return next.at < to;
  }
  mutable next_with_role next_connector_{role::connector};
  mutable next_with_role next_landmark_type_{role::landmark_type};

  bool plain_names(const street_match& m) const {
    for (std::size_t k = m.begin; k < m.end; ++k) {
      if (t_[k].keyword || (t_[k].roles & (role::landmark_type | role::marker)) != 0)
        return false;
    }
    return true;
  }

  bool cue_before(std::size_t i) const {
    std::size_t k = i;
    while (k > 0 && t_[k - 1].skip)
      --k;
    return k > 0 && ((t_[k - 1].roles & role::location_cue) != 0 || corner_before(k));
  }

  // Whether a corner cue ("corner of", "esquina de") ends right before token i. Asked
  // several times per token, and answered by a role bit for all but a cue's last word.
  bool corner_before(std::size_t i) const {
    if (!r_.empty_corner_cue && (i == 0 || (t_[i - 1].roles & role::corner_cue_end) == 0))
      return false;
    for (const auto& cue : r_.corner_cues) {
      if (cue.size() > i)
        continue;
      bool match = true;
      for (std::size_t c = 0; c < cue.size() && match; ++c) {
        match = t_[i - cue.size() + c].norm == cue[c];
      }
      if (match)
        return true;
    }
    return false;
  }

  std::size_t emit(std::size_t b, std::size_t e, address_form form) {
    // Do not end on punctuation: "Main St." at the end of a sentence is "Main St".
    while (e > b + 1 && t_[e - 1].kind == token_kind::punct)
      --e;
    const std::size_t begin = t_[b].begin;
    const std::size_t end = t_[e - 1].end;
    out_.push_back(entity{entity_kind::address, form, begin, end,
                          std::string(in_.text.substr(begin, end - begin))});
    for (std::size_t k = b; k < e; ++k)
      t_[k].taken = true;
    return e;
  }

  // "apt 2043", "apt #5", "#14F", "unit B", ", suite 200"
  std::size_t unit(std::size_t j) const {
    std::size_t k = punct(j, ",") ? j + 1 : j;
    if (in(role::unit_marker, k)) {
      k = after_dot(k + 1);
      if (punct(k, "#"))
        ++k;
    } else if (punct(k, "#")) {
      ++k;
    } else {
      return j;
    }
    if (ok(k) && (t_[k].kind == token_kind::number ||
                  (t_[k].kind == token_kind::word && t_[k].norm.size() <= 5 &&
                   (t_[k].norm.size() == 1 || (t_[k].norm[0] >= '0' && t_[k].norm[0] <= '9'))))) {
      return k + 1;
    }
    return j;
  }

  // The token after a block cue ("block of") that starts at i, or i when there is none.
  std::size_t after_block_cue(std::size_t i) const {
    for (const auto& cue : r_.block_cues) {
      bool match = i + cue.size() <= t_.size();
      for (std::size_t c = 0; c < cue.size() && match; ++c)
        match = ok(i + c) && t_[i + c].norm == cue[c];
      if (match)
        return i + cue.size();
    }
    return i;
  }

  std::size_t street_address(std::size_t i) {
    if (!house_number(i))
      return 0;
    // "55 n center st", "1400 n alma school rd apt 2043", "300 block of E Main St"
    const street_match m = street(after_block_cue(i + 1));
    if (m.names == 0)
      return 0;
    const bool accepted = m.suffix || m.directional || in_.expecting_location ||
                          (cue_before(i) && m.capitalized && in_.capitals_meaningful);
    if (!accepted)
      return 0;
    return emit(i, unit(m.end), address_form::street_address);
  }

  bool connector(std::size_t i) const { return ok(i) && (t_[i].roles & role::connector) != 0; }

  std::size_t intersection(std::size_t i) {
    // The first street, street(i, 3), is followed by a connector: none near, no intersection.
    if (!role_within(next_connector_, i + 1, i + 1 + street_reach(3)))
      return 0;
    struct lenient_scope {
      bool& flag;
      ~lenient_scope() { flag = false; }
    } scope{lenient_names_};
    lenient_names_ = corner_before(i) || in_.expecting_location;
    if (!name(i) && !in(role::directional, i))
      return 0;
    const street_match a = street(i, 3);
    if (a.names == 0 || !connector(a.end))
      return 0;
    const street_match b = street(a.end + 1, 3);
    if (b.names == 0)
      return 0;
    const bool symbol = t_[a.end].kind == token_kind::punct;
    const bool marked_a = a.suffix || a.ordinal || a.directional;
    const bool marked_b = b.suffix || b.ordinal || b.directional;
    const bool capitals = in_.capitals_meaningful && a.capitalized && b.capitalized;
    // The city's own street names are evidence too: "broadway and dobson", "Macdonald y 1st".
    const bool known = (a.known && b.known) || (a.known && marked_b) || (marked_a && b.known);
    bool accepted = corner_before(i) || (marked_a && marked_b) || known;
    if (symbol)
      accepted = accepted || marked_a || marked_b || capitals;
    if (!symbol)
      accepted = accepted || (cue_before(i) && capitals);
    accepted = accepted || in_.expecting_location;
    if (!accepted)
      return 0;
    std::size_t b_start = corner_start(i);
    return emit(b_start, b.end, address_form::intersection);
  }

  // Includes "corner of" in the span? No: the span is the place itself.
  std::size_t corner_start(std::size_t i) const { return i; }

  std::size_t landmark(std::size_t i) {
    // Asked where, a reply's keywords may be names too: "red mountain park".
    struct lenient_scope {
      bool& flag;
      ~lenient_scope() { flag = false; }
    } scope{lenient_names_};
    lenient_names_ = in_.expecting_location;
    // "Emerald Park", "Lincoln Elementary School"
    // (the type word follows at most landmark_name_words names: none there, no such place)
    if (name(i) && !in(role::landmark_type, i) &&
        role_within(next_landmark_type_, i + 1, i + 1 + landmark_name_words)) {
      std::size_t j = i;
      bool capitals = true;
      while (j < i + landmark_name_words && name(j) && !in(role::landmark_type, j)) {
        capitals = capital(j) && capitals;
        ++j;
      }
      if (in(role::landmark_type, j) &&
          ((capitals && in_.capitals_meaningful) || cue_before(i) || in_.expecting_location)) {
        std::size_t e = j + 1;
        while (e < j + 3 && in(role::landmark_type, e))  // "Lincoln Elementary School"
          ++e;
        // "Alma School Rd", "Country Club Dr": a street named after a landmark; the street
        // rules read it.
        if (in(role::street_suffix, e))
          return 0;
        return emit(i, e, address_form::landmark);
      }
    }
    // "parque Emerald", "escuela Lincoln"
    if (in(role::landmark_type_before, i) && name(i + 1) &&
        ((capital(i + 1) && in_.capitals_meaningful) || cue_before(i))) {
      std::size_t j = i + 1;
      while (j < i + 4 && name(j) && (capital(j) || !in_.capitals_meaningful))
        ++j;
      // "el parque Pioneer Park": the name already says what it is.
      const bool named_in_full = j > i + 2 && in_.capitals_meaningful && t_[j - 1].capitalized &&
                                 (t_[j - 1].roles & role::landmark_type) != 0;
      if (!named_in_full)
        return emit(i, j, address_form::landmark);
      t_[i].taken = true;  // "parque" still belongs to the place, not to the problem
      return emit(i + 1, j, address_form::landmark);
    }
    // "the walmart on southern", "the library on main st", "near walmart"
    const bool named = in(role::landmark_name, i);
    if (named || in(role::landmark_type, i)) {
      // The place starts at the landmark: "the" in "the walmart on southern" is not part of it.
      const std::size_t b = i;
      const std::size_t link = i + 1;
      if (in(role::landmark_link, link)) {
        std::size_t first = link + 1;  // "el walmart de la southern"
        while (ok(first) && t_[first].skip && first < link + 3)
          ++first;
        const street_match s = street(first, 3);
        if (s.names > 0 && (s.suffix || s.capitalized || s.ordinal || s.names <= 2)) {
          return emit(b, s.end, address_form::landmark);
        }
      }
      if (named && (cue_before(i) || in_.expecting_location)) {
        return emit(b, i + 1, address_form::landmark);
      }
    }
    return 0;
  }

  std::size_t street_only(std::size_t i) {
    // "calle Main", "avenida Juarez 123", "av. reforma #45"
    if (in(role::street_type_before, i)) {
      std::size_t j = after_dot(i + 1);
      const std::size_t first = j;
      while (j < first + 3 &&
             (name(j) || (j == first && ok(j) && t_[j].kind == token_kind::number))) {
        ++j;
      }
      if (j > first) {
        std::size_t k = j;
        if (in(role::number_marker, k))
          k = after_dot(k + 1);
        if (punct(k, "#"))
          ++k;
        if (house_number(k)) {
          return emit(i, unit(k + 1), address_form::street_address);
        }
        return emit(i, j, address_form::street);
      }
    }
    // "on main st", "along Mesa Dr", "on 5th"
    const bool cue = cue_before(i) || in_.expecting_location;
    const street_match m = street(i);
    if (cue && m.names > 0 && (m.suffix || (m.names == 1 && m.ordinal))) {
      return emit(i, m.end, address_form::street);
    }
    // "on Southern", "on sycamore": one of the city's streets, written as a name or as a word
    // that means nothing else to the rules ("on main" may be a water main, "near the center"
    // a place in general).
    if (cue && m.names > 0 && m.names <= 2 && m.known &&
        (!in_.capitals_meaningful || m.capitalized || plain_names(m))) {
      return emit(i, m.end, address_form::street);
    }
    // "dead dog on the side of Lindsay Rd", "deep pot hole 3rd St": a name written as one
    // (capitals or an ordinal), or one of the city's streets, with a suffix needs no cue.
    if (!cue && m.names > 0 && m.suffix &&
        ((m.capitalized && in_.capitals_meaningful) || m.known)) {
      return emit(i, m.end, address_form::street);
    }
    return 0;
  }

  std::size_t zip(std::size_t i) {
    if (!ok(i) || t_[i].kind != token_kind::number || t_[i].norm.size() != 5 ||
        !all_digits(t_[i].norm)) {
      return 0;
    }
    std::size_t p = i;
    while (p > 0 && t_[p - 1].kind == token_kind::punct)
      --p;
    // "85201" alone, or "zip 85210", answering "where is it?"
    if (in_.expecting_location && (p == 0 || (t_[p - 1].roles & role::zip_cue) != 0))
      return emit(i, zip_end(i), address_form::zip);
    if (p == 0)
      return 0;
    const word_token& prev = t_[p - 1];
    const bool cue_two_back = p >= 2 && (t_[p - 2].roles & role::zip_cue) != 0;
    const bool after_address = prev.taken && !out_.empty() &&
                               out_.back().form != address_form::zip && prev.end == out_.back().end;
    if (!((prev.roles & (role::state | role::zip_cue)) != 0 || cue_two_back || after_address)) {
      return 0;
    }
    return emit(i, zip_end(i), address_form::zip);
  }

  std::size_t zip_end(std::size_t i) const {
    std::size_t e = i + 1;
    if (punct(e, "-") && ok(e + 1) && t_[e + 1].norm.size() == 4 && all_digits(t_[e + 1].norm)) {
      e += 2;  // ZIP+4
    }
    return e;
  }
};

}  // namespace

void find_addresses(const address_input& in, std::span<word_token> tokens,
                    std::vector<entity>& out) {
  finder(in, tokens, out).run();
}

}  // namespace civicline::nlp
