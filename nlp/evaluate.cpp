#include "nlp/evaluate.hpp"

#include <algorithm>
#include <cstdio>
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
      labeled_message m{j["text"].get<std::string>(), std::nullopt, std::nullopt};
      if (j.contains("category") && j["category"].is_string())
        m.category = j["category"];
      if (j.contains("intent") && j["intent"].is_string())
        m.intent = j["intent"];
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
    out.push_back(labeled_message{*get(text_col), get(category_col), get(intent_col)});
  }
  return out;
}

evaluation evaluate(std::span<const labeled_message> messages, const lexicon& lex) {
  evaluation result;
  for (const labeled_message& m : messages) {
    const understanding u = understand(m.text, lex);
    if (m.category) {
      const std::string predicted = u.category.value_or("other");
      tally(result.category, *m.category, predicted);
      const double conf = u.category ? u.category_confidence : 0.0;
      const auto bin = std::min<std::size_t>(9, static_cast<std::size_t>(conf * 10));
      ++result.calibration[bin].first;
      if (predicted == *m.category)
        ++result.calibration[bin].second;
    }
    if (m.intent)
      tally(result.intent, *m.intent, std::string(to_string(u.intent)));
  }
  finish(result.category);
  finish(result.intent);
  return result;
}

std::string format_evaluation(const evaluation& result) {
  std::string out;
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
  if (result.intent.total > 0)
    format_confusion("intent", result.intent, out);
  return out;
}

}  // namespace civicline::nlp
