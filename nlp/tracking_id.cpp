#include "nlp/tracking_id.hpp"

#include <algorithm>

namespace civicline::nlp {
namespace {

constexpr std::size_t min_typed_digits = 3;  // "#12" is more likely a choice or a unit

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "311-" -> "311": the part of the prefix a resident keeps when typing it loosely.
std::string prefix_core(std::string_view prefix) {
  std::string core;
  for (char c : prefix) {
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) {
      core.push_back(c);
    } else if (c >= 'A' && c <= 'Z') {
      core.push_back(static_cast<char>(c - 'A' + 'a'));
    }
  }
  return core;
}

// Phones turn "-" into an en or em dash as residents type: "311–004512".
bool dash(std::string_view s) {
  return s == "-" || s == "\u2013" || s == "\u2014" || s == "\u2010" || s == "\u2011";
}

// Between the prefix and the number: "311-4512", "311#4512", "311:4512".
bool separator(std::string_view s) {
  return dash(s) || s == "#" || s == ":";
}

}  // namespace

std::optional<std::string> canonical_tracking_id(const lexicon_options& options,
                                                 std::string_view digits) {
  const auto width = static_cast<std::size_t>(options.tracking_id_digits);
  while (digits.size() > width && digits.front() == '0')
    digits.remove_prefix(1);
  if (!all_digits(digits) || digits.size() > width)
    return std::nullopt;
  std::string out = options.tracking_id_prefix;
  out.append(width - digits.size(), '0');
  out.append(digits);
  return out;
}

void find_tracking_ids(const lexicon& lex, std::span<word_token> t, std::vector<entity>& out) {
  const lexicon_options& options = lex.options();
  const std::string core = prefix_core(options.tracking_id_prefix);
  const auto width = static_cast<std::size_t>(options.tracking_id_digits);
  auto free = [&](std::size_t i) { return i < t.size() && !t[i].taken; };
  auto number_at = [&](std::size_t i, std::size_t min_digits) {
    return free(i) && t[i].kind == token_kind::number && all_digits(t[i].norm) &&
           t[i].norm.size() >= min_digits && t[i].norm.size() <= width;
  };
  auto punct_at = [&](std::size_t i) { return free(i) && t[i].kind == token_kind::punct; };
  auto emit = [&](std::size_t b, std::size_t e, std::string_view digits) {
    auto value = canonical_tracking_id(options, digits);
    if (!value)
      return false;
    out.push_back(entity{entity_kind::tracking_id, address_form::none, t[b].begin, t[e - 1].end,
                         std::move(*value)});
    for (std::size_t k = b; k < e; ++k)
      t[k].taken = true;
    return true;
  };

  for (std::size_t i = 0; i < t.size(); ++i) {
    if (!free(i))
      continue;
    const std::string_view s = t[i].norm;
    // Most tokens do not start like the prefix: one byte tells.
    const bool prefix_start = !core.empty() && !s.empty() && s[0] == core[0];
    // "311004512" or "sr4512": the prefix glued to the number.
    if (prefix_start && s.size() > core.size() && s.substr(0, core.size()) == core &&
        all_digits(s.substr(core.size())) && t[i].kind != token_kind::punct) {
      const std::string_view digits = s.substr(core.size());
      const bool digit_prefix = all_digits(core);
      // With a numeric prefix only the full width is safe: "3115" is just a number.
      if ((!digit_prefix && digits.size() <= width) || digits.size() == width) {
        if (emit(i, i + 1, digits))
          continue;
      }
    }
    // "311-004512", "311 004512", "SR-4512"
    if (prefix_start && s == core) {
      std::size_t j = i + 1;
      if (punct_at(j) && separator(t[j].norm))
        ++j;
      if (number_at(j, min_typed_digits) && emit(i, j + 1, t[j].norm)) {
        i = j;
        continue;
      }
    }
    // "#4512" (but "#311-004512" is the prefix form, read at the prefix)
    const bool after_unit = i > 0 && (t[i - 1].roles & role::unit_marker) != 0;
    const bool prefix_after_hash =
        free(i + 1) && t[i + 1].norm == core &&
        (number_at(i + 2, 1) ||
         (punct_at(i + 2) && separator(t[i + 2].norm) && number_at(i + 3, 1)));
    if (s == "#" && t[i].kind == token_kind::punct && number_at(i + 1, min_typed_digits) &&
        t[i].end == t[i + 1].begin && !after_unit && !prefix_after_hash) {
      if (emit(i, i + 2, t[i + 1].norm)) {
        ++i;
        continue;
      }
    }
    // "ticket 4512", "case # 4512", "reporte numero 4512"
    if (t[i].kind == token_kind::word && (t[i].roles & role::tracking_cue) != 0) {
      std::size_t j = i + 1;
      for (int filler = 0; filler < 2 && free(j) && !number_at(j, 1); ++filler) {
        constexpr std::uint32_t filler_roles =
            role::tracking_cue | role::number_marker | role::skip | role::marker;
        if (t[j].kind == token_kind::punct || (t[j].roles & filler_roles) != 0) {
          ++j;
        } else {
          break;
        }
      }
      // "reporte 311-4512": the prefix form after the cue is handled at the prefix.
      // j may be past the last token when the cue ends the message ("check my ticket").
      const bool prefix_follows =
          j < t.size() && t[j].norm == core &&
          (number_at(j + 1, 1) ||
           (punct_at(j + 1) && separator(t[j + 1].norm) && number_at(j + 2, 1)));
      if (!prefix_follows && number_at(j, min_typed_digits) && emit(j, j + 1, t[j].norm)) {
        if (j > i + 1 && t[j - 1].norm == "#") {
          // keep "#4512" inside the span when the hash is glued to the number
          out.back().begin = t[j - 1].begin;
        }
        i = j;
        continue;
      }
    }
  }
}

}  // namespace civicline::nlp
