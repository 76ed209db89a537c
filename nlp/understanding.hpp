#pragma once
// The result of understanding one resident message: plain values, no I/O.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::nlp {

enum class language : std::uint8_t { en, es };

/// The fixed set of intents the dialog understands; `unknown` is below the threshold.
enum class intent : std::uint8_t {
  report_problem,
  check_status,
  greeting,
  help,
  opt_out,
  human_agent,
  provide_location,
  affirm,
  deny,
  cancel,
  thanks,
  unknown,
};
inline constexpr std::size_t intent_count = 11;  ///< intents that rule packs can score

enum class entity_kind : std::uint8_t { tracking_id, address, phone, email, lat_long };

/// What shape an address entity has; `none` for the other kinds.
enum class address_form : std::uint8_t {
  none,
  street_address,
  street,
  intersection,
  landmark,
  zip
};

/// A piece of the message with its byte span [begin, end) in the original text.
struct entity {
  entity_kind kind{};
  address_form form = address_form::none;
  std::size_t begin = 0;
  std::size_t end = 0;
  std::string value;  ///< normalised: "311-004512", "+14805551234", "33.41,-111.83", or the text
};

struct scored_id {
  std::string id;
  double confidence = 0;
};

struct understanding {
  language lang = language::en;
  nlp::intent intent = intent::unknown;
  double intent_confidence = 0;
  nlp::intent runner_up = intent::unknown;
  double runner_up_confidence = 0;
  std::optional<std::string> category;  ///< for report_problem and check_status
  double category_confidence = 0;
  std::vector<scored_id> category_alternatives;  ///< the next best categories, best first
  std::vector<entity> entities;
  std::optional<int> choice;  ///< a bare number answering a numbered menu
};

/// What the dialog asked for last, so a terse reply is read in that light.
enum class expectation : std::uint8_t { none, location, yes_no, choice, description };

struct context {
  std::optional<language> language_hint;  ///< the conversation's language; breaks ties
  expectation expecting = expectation::none;
  std::vector<std::string> choices;  ///< ids offered as "1 ... 2 ...": category or intent ids

  bool operator==(const context&) const = default;
};

/// "report_problem", ... "unknown".
std::string_view to_string(intent value);
/// The intent with this id, if it is one of the fixed ids (never `unknown`).
std::optional<intent> intent_from_string(std::string_view id);
/// "en" or "es".
std::string_view to_string(language value);
/// The language with this code, if supported.
std::optional<language> language_from_string(std::string_view code);
/// "tracking_id", "address", "phone", "email", "lat_long".
std::string_view to_string(entity_kind value);
/// "street_address", "street", "intersection", "landmark", "zip" ("" for none).
std::string_view to_string(address_form value);

/// The understanding as one line of JSON (for the CLI, logs and HTTP handlers).
std::string to_json(const understanding& value);

}  // namespace civicline::nlp
