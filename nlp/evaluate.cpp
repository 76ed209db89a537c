#include "nlp/evaluate.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "nlp/understand.hpp"

namespace civicline::nlp {
namespace {

// One CSV record (RFC 4180: quoted fields, "" inside quotes, newlines inside quotes).
bool next_csv_record(std::string_view content, std::size_t& pos, std::vector<std::string>& fields) {
  fields.clear();
  if (pos >= content.size())
    return false;
  std::string field;
  bool quoted = false;
  while (pos < content.size()) {
    const char c = content[pos++];
    if (quoted) {
      if (c == '"' && pos < content.size() && content[pos] == '"') {
        field.push_back('"');
        ++pos;
      } else if (c == '"') {
        quoted = false;
      } else {
        field.push_back(c);
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && pos < content.size() && content[pos] == '\n')
        ++pos;
      break;
    } else {
      field.push_back(c);
    }
  }
  fields.push_back(std::move(field));
  return true;
}

void tally(confusion& c, const std::string& expected, const std::string& predicted) {
  ++c.total;
  if (expected == predicted)
    ++c.correct;
  ++c.counts[expected][predicted];
}

void finish(confusion& c) {
  std::map<std::string, class_score> by_id;
  for (const auto& [expected, row] : c.counts) {
    for (const auto& [predicted, n] : row) {
      by_id[expected].support += n;
      by_id[predicted].predicted += n;
      if (expected == predicted)
        by_id[expected].correct += n;
    }
  }
  for (auto& [id, score] : by_id) {
    score.id = id;
    c.classes.push_back(score);
  }
}

void format_confusion(const char* name, const confusion& c, std::string& out) {
  char line[256];
  std::snprintf(line, sizeof line, "%s accuracy: %.4f (%d/%d)\n", name, c.accuracy(), c.correct,
                c.total);
  out += line;
  out += "  class                     support  precision  recall\n";
  for (const auto& s : c.classes) {
    std::snprintf(line, sizeof line, "  %-24s %8d  %9.3f  %6.3f\n", s.id.c_str(), s.support,
                  s.precision(), s.recall());
    out += line;
  }
  out += "  confusion (expected -> predicted: count, largest first)\n";
  std::vector<std::tuple<int, std::string, std::string>> cells;
  for (const auto& [expected, row] : c.counts) {
    for (const auto& [predicted, n] : row) {
      if (expected != predicted)
        cells.emplace_back(n, expected, predicted);
    }
  }
  std::sort(cells.begin(), cells.end(),
            [](const auto& a, const auto& b) { return std::get<0>(a) > std::get<0>(b); });
  for (const auto& [n, expected, predicted] : cells) {
    std::snprintf(line, sizeof line, "    %-22s -> %-22s %d\n", expected.c_str(), predicted.c_str(),
                  n);
    out += line;
  }
}

[[noreturn]] void bad_line(std::size_t line_no, const std::string& problem) {
  throw std::invalid_argument("line " + std::to_string(line_no) + ": " + problem);
}

std::optional<std::string> optional_string(const nlohmann::json& j, const char* key,
                                           std::size_t line_no) {
  if (!j.contains(key) || j[key].is_null())
    return std::nullopt;
  if (!j[key].is_string())
    bad_line(line_no, std::string("\"") + key + "\" must be a string");
  return j[key].get<std::string>();
}

nlp::context context_from_json(const nlohmann::json& j, std::size_t line_no) {
  nlp::context ctx;
  if (!j.is_object())
    bad_line(line_no, "\"context\" must be an object like {\"expecting\": \"location\"}");
  if (const auto expecting = optional_string(j, "expecting", line_no)) {
    static const std::map<std::string, expectation, std::less<>> names{
        {"none", expectation::none},
        {"location", expectation::location},
        {"yes_no", expectation::yes_no},
        {"choice", expectation::choice},
        {"description", expectation::description}};
    const auto it = names.find(*expecting);
    if (it == names.end()) {
      bad_line(line_no, "context.expecting \"" + *expecting +
                            "\" is not location, yes_no, choice, description or none");
    }
    ctx.expecting = it->second;
  }
  if (j.contains("choices")) {
    if (!j["choices"].is_array())
      bad_line(line_no, "context.choices must be an array of ids");
    for (const auto& choice : j["choices"]) {
      if (!choice.is_string())
        bad_line(line_no, "context.choices must be an array of ids");
      ctx.choices.push_back(choice.get<std::string>());
    }
  }
  if (const auto lang = optional_string(j, "lang", line_no)) {
    ctx.language_hint = language_from_string(*lang);
    if (!ctx.language_hint)
      bad_line(line_no, "context.lang must be en or es");
  }
  return ctx;
}

labeled_message message_from_json(const nlohmann::json& j, std::size_t line_no) {
  labeled_message m;
  m.text = j["text"].get<std::string>();
  m.category = optional_string(j, "category", line_no);
  m.intent = optional_string(j, "intent", line_no);
  m.lang = optional_string(j, "lang", line_no);
  if (m.lang && !language_from_string(*m.lang))
    bad_line(line_no, "\"lang\" must be en or es");
  m.tracking_id = optional_string(j, "tracking_id", line_no);
  if (j.contains("address")) {
    m.address_labelled = true;
    if (const auto place = optional_string(j, "address", line_no)) {
      const std::size_t at = place->empty() ? std::string::npos : m.text.find(*place);
      if (at == std::string::npos) {
        bad_line(line_no,
                 "\"address\" must be the exact text of the place as it appears in "
                 "\"text\" (or null); \"" +
                     *place + "\" is not in it");
      }
      m.address = std::pair{at, at + place->size()};
    }
  }
  if (j.contains("context"))
    m.context = context_from_json(j["context"], line_no);
  return m;
}

const entity* first_entity(const understanding& u, entity_kind kind) {
  for (const entity& e : u.entities) {
    if (e.kind == kind)
      return &e;
  }
  return nullptr;
}

// The dialog takes the first address entity as the place, so that is the one compared.
template <class Miss>
void score_address(const labeled_message& m, const understanding& u, address_score& score,
                   Miss&& miss) {
  const entity* found = first_entity(u, entity_kind::address);
  const std::string_view text = m.text;
  const std::string predicted =
      found != nullptr ? std::string(text.substr(found->begin, found->end - found->begin))
                       : "(none)";
  if (!m.address) {
    ++score.without;
    if (found != nullptr) {
      ++score.false_alarm;
      miss("address (false alarm)", "(none)", predicted);
    }
    return;
  }
  ++score.labelled;
  const auto [begin, end] = *m.address;
  const std::string expected(text.substr(begin, end - begin));
  if (found == nullptr) {
    ++score.missed;
    miss("address (missed)", expected, predicted);
  } else if (found->begin == begin && found->end == end) {
    ++score.exact;
  } else if (found->begin < end && begin < found->end) {
    ++score.span_off;
    miss("address (span off)", expected, predicted);
  } else {
    ++score.elsewhere;
    miss("address (elsewhere)", expected, predicted);
  }
}

}  // namespace

std::vector<labeled_message> parse_labeled_messages(std::string_view content) {
  std::vector<labeled_message> out;
  std::size_t first = content.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return out;
  if (content[first] == '{') {  // JSON lines
    std::size_t line_no = 0;
    for (std::size_t pos = 0; pos < content.size();) {
      std::size_t nl = content.find('\n', pos);
      if (nl == std::string_view::npos)
        nl = content.size();
      const std::string_view line = content.substr(pos, nl - pos);
      pos = nl + 1;
      ++line_no;
      if (line.find_first_not_of(" \t\r") == std::string_view::npos)
        continue;
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (!j.is_object() || !j.contains("text") || !j["text"].is_string()) {
        throw std::invalid_argument("line " + std::to_string(line_no) +
                                    ": expected a JSON object with a \"text\" string");
      }
      labeled_message m = message_from_json(j, line_no);
      out.push_back(std::move(m));
    }
    return out;
  }
  std::size_t pos = 0;
  std::vector<std::string> fields;
  next_csv_record(content, pos, fields);
  int text_col = -1, category_col = -1, intent_col = -1;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (fields[i] == "text")
      text_col = static_cast<int>(i);
    if (fields[i] == "category")
      category_col = static_cast<int>(i);
    if (fields[i] == "intent")
      intent_col = static_cast<int>(i);
  }
  if (text_col < 0 || (category_col < 0 && intent_col < 0)) {
    throw std::invalid_argument(
        "line 1: the CSV header must name a text column and a category "
        "or intent column");
  }
  std::size_t record = 1;
  while (next_csv_record(content, pos, fields)) {
    ++record;
    if (fields.size() == 1 && fields[0].empty())
      continue;
    auto get = [&](int col) -> std::optional<std::string> {
      if (col < 0)
        return std::nullopt;
      if (static_cast<std::size_t>(col) >= fields.size()) {
        throw std::invalid_argument("record " + std::to_string(record) + ": too few columns");
      }
      return fields[static_cast<std::size_t>(col)];
    };
    labeled_message m;
    m.text = *get(text_col);
    m.category = get(category_col);
    m.intent = get(intent_col);
    out.push_back(std::move(m));
  }
  return out;
}

evaluation evaluate(std::span<const labeled_message> messages, const lexicon& lex) {
  evaluation result;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const labeled_message& m = messages[i];
    const understanding u = understand(m.text, lex, m.context);
    auto miss = [&](std::string field, std::string expected, std::string predicted) {
      result.misses.push_back({i, std::move(field), std::move(expected), std::move(predicted)});
    };
    if (m.category) {
      const std::string predicted = u.category.value_or("other");
      tally(result.category, *m.category, predicted);
      const double conf = u.category ? u.category_confidence : 0.0;
      const auto bin = std::min<std::size_t>(9, static_cast<std::size_t>(conf * 10));
      ++result.calibration[bin].first;
      if (predicted == *m.category)
        ++result.calibration[bin].second;
      else
        miss("category", *m.category, predicted);
    }
    if (m.intent) {
      const std::string predicted(to_string(u.intent));
      tally(result.intent, *m.intent, predicted);
      if (predicted != *m.intent)
        miss("intent", *m.intent, predicted);
    }
    if (m.lang) {
      const std::string predicted(to_string(u.lang));
      tally(result.language, *m.lang, predicted);
      if (predicted != *m.lang)
        miss("lang", *m.lang, predicted);
    }
    if (m.address_labelled)
      score_address(m, u, result.address, miss);
    if (m.tracking_id) {
      ++result.tracking_labelled;
      const entity* id = first_entity(u, entity_kind::tracking_id);
      if (id != nullptr && id->value == *m.tracking_id)
        ++result.tracking_right;
      else
        miss("tracking_id", *m.tracking_id, id != nullptr ? id->value : "(none)");
    }
  }
  finish(result.category);
  finish(result.intent);
  finish(result.language);
  return result;
}

std::string format_evaluation(const evaluation& result) {
  std::string out;
  if (result.intent.total > 0)
    format_confusion("intent", result.intent, out);
  if (result.category.total > 0) {
    format_confusion("category", result.category, out);
    out += "  calibration (category confidence bin: messages, accuracy)\n";
    for (std::size_t b = 0; b < result.calibration.size(); ++b) {
      const auto [n, right] = result.calibration[b];
      if (n == 0)
        continue;
      char line[128];
      std::snprintf(line, sizeof line, "    %.1f-%.1f: %5d  %.3f\n", b / 10.0, (b + 1) / 10.0, n,
                    double(right) / n);
      out += line;
    }
  }
  if (result.language.total > 0)
    format_confusion("language", result.language, out);
  char line[256];
  const address_score& a = result.address;
  if (a.labelled + a.without > 0) {
    std::snprintf(line, sizeof line,
                  "address accuracy (exact span): %.4f (%d/%d)\n"
                  "  found, span off: %d; found elsewhere: %d; missed: %d\n"
                  "  messages without a place: %d, an address found anyway: %d\n",
                  a.accuracy(), a.exact, a.labelled, a.span_off, a.elsewhere, a.missed, a.without,
                  a.false_alarm);
    out += line;
  }
  if (result.tracking_labelled > 0) {
    std::snprintf(line, sizeof line, "tracking id accuracy: %.4f (%d/%d)\n",
                  double(result.tracking_right) / result.tracking_labelled, result.tracking_right,
                  result.tracking_labelled);
    out += line;
  }
  return out;
}

std::string format_misses(std::span<const labeled_message> messages, const evaluation& result) {
  static constexpr std::string_view expecting_names[] = {"", "location", "yes_no", "choice",
                                                         "description"};
  std::string out;
  for (const evaluation_miss& miss : result.misses) {
    const labeled_message& m = messages[miss.message];
    out += miss.field + ": " + miss.expected + " -> " + miss.predicted + "  | " + m.text;
    if (m.context.expecting != expectation::none) {
      out += "  [expecting ";
      out += expecting_names[static_cast<std::size_t>(m.context.expecting)];
      out += "]";
    }
    out += "\n";
  }
  return out;
}

}  // namespace civicline::nlp
