#pragma once
// Measuring a rule pack on labelled messages: intent, category, language and address accuracy,
// confusion pairs, per-class precision/recall, and the list of misses.

#include <cstddef>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nlp/lexicon.hpp"
#include "nlp/understanding.hpp"

namespace civicline::nlp {

struct labeled_message {
  std::string text;
  std::optional<std::string> category;
  std::optional<std::string> intent;
  std::optional<std::string> lang;  ///< "en" or "es"
  /// True when the labels say where the place is; `address` is then its span, or none when the
  /// message names no place (so finding one is a false alarm).
  bool address_labelled = false;
  std::optional<std::pair<std::size_t, std::size_t>> address;  ///< [begin, end) in `text`
  std::optional<std::string> tracking_id;                      ///< normalised, "311-004512"
  nlp::context context;                                        ///< what the dialog had just asked
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

/// The place the dialog would use (the first address entity) against the labelled span.
struct address_score {
  int labelled = 0;     ///< messages that name a place
  int exact = 0;        ///< found with exactly the labelled span
  int span_off = 0;     ///< found, overlapping the label, but with other bounds
  int elsewhere = 0;    ///< an address found that does not overlap the label
  int missed = 0;       ///< no address found
  int without = 0;      ///< messages labelled with no place
  int false_alarm = 0;  ///< ... in which an address was found anyway
  double accuracy() const { return labelled == 0 ? 0.0 : double(exact) / labelled; }
};

/// One message the rules read differently from its label.
struct evaluation_miss {
  std::size_t message = 0;  ///< index into the evaluated messages
  std::string field;        ///< "intent", "category", "lang", "address", "tracking_id"
  std::string expected;
  std::string predicted;
};

struct evaluation {
  confusion category;
  confusion intent;
  confusion language;
  address_score address;
  int tracking_labelled = 0;  ///< messages that name a tracking id
  int tracking_right = 0;     ///< ... whose first tracking id entity has the labelled value
  /// Category confidence in ten bins: how often the prediction was right in each.
  std::vector<std::pair<int, int>> calibration = std::vector<std::pair<int, int>>(10);
  std::vector<evaluation_miss> misses;  ///< in message order
};

/// Parses labelled messages: a CSV with a header naming `text` and `category` (and optionally
/// `intent`) columns, or JSON lines with `text` and any of `intent`, `category`, `lang`,
/// `address` (the exact substring that names the place, or null), `tracking_id` and `context`
/// (`{"expecting": "location|yes_no|choice|description", "choices": [...], "lang": "es"}`).
/// Throws std::invalid_argument with the line number on malformed input.
std::vector<labeled_message> parse_labeled_messages(std::string_view content);

/// Classifies every message (in its labelled context) and compares with its labels. A message
/// whose intent has no category counts as category "other".
evaluation evaluate(std::span<const labeled_message> messages, const lexicon& lex);

/// A human-readable report: accuracy, per-class precision/recall and the confusion pairs for
/// each labelled field, then address and tracking id accuracy.
std::string format_evaluation(const evaluation& result);

/// One line per miss: the field, expected -> predicted, and the message (with its context).
std::string format_misses(std::span<const labeled_message> messages, const evaluation& result);

}  // namespace civicline::nlp
