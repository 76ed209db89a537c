#pragma once
// Measuring a rule pack on labelled messages: accuracy, confusion matrix, precision/recall.

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/lexicon.hpp"

namespace civicline::nlp {

struct labeled_message {
  std::string text;
  std::optional<std::string> category;
  std::optional<std::string> intent;
};

struct class_score {
  std::string id;
  int support = 0;    ///< labelled with this id
  int predicted = 0;  ///< predicted as this id
  int correct = 0;
  double precision() const { return predicted == 0 ? 0.0 : double(correct) / predicted; }
  double recall() const { return support == 0 ? 0.0 : double(correct) / support; }
};

struct confusion {
  int total = 0;
  int correct = 0;
  std::map<std::string, std::map<std::string, int>> counts;  ///< expected -> predicted -> n
  std::vector<class_score> classes;                          ///< sorted by id
  double accuracy() const { return total == 0 ? 0.0 : double(correct) / total; }
};

struct evaluation {
  confusion category;
  confusion intent;
  /// Category confidence in ten bins: how often the prediction was right in each.
  std::vector<std::pair<int, int>> calibration = std::vector<std::pair<int, int>>(10);
};

/// Parses labelled messages: a CSV with a header naming `text` and `category` (and optionally
/// `intent`) columns, or JSON lines with those fields. Throws std::invalid_argument with the
/// line number on malformed input.
std::vector<labeled_message> parse_labeled_messages(std::string_view content);

/// Classifies every message and compares with its labels. A message whose intent has no
/// category counts as category "other".
evaluation evaluate(std::span<const labeled_message> messages, const lexicon& lex);

/// A human-readable report: accuracy, per-class precision/recall and the confusion matrix.
std::string format_evaluation(const evaluation& result);

}  // namespace civicline::nlp
