#pragma once
// A resident's conversation with the bot: the state that survives between
// messages (and restarts), and the message that moves it on.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/service_request.hpp"
#include "nlp/understanding.hpp"

namespace civicline::core {

enum class dialog_stage : std::uint8_t {
  idle,               ///< nothing in progress
  collecting,         ///< building a draft report; `expecting` says what was asked
  confirming,         ///< the draft is complete; the resident was asked to confirm it
  clarifying,         ///< numbered choices were offered (`choices`, `choice_kind`)
  waiting_for_staff,  ///< handed off: the bot stays quiet until staff answer or close
};

/// A report being put together, slot by slot.
struct draft {
  std::optional<std::string> category;
  std::optional<core::location> location;
  std::optional<std::string> description;
  std::vector<std::string> media_urls;
  std::map<std::string, std::string> answers;  ///< question code -> value key or text
};

struct conversation_state {
  nlp::language language = nlp::language::en;  ///< sticky reply language
  dialog_stage stage = dialog_stage::idle;
  core::draft draft;
  nlp::expectation expecting = nlp::expectation::none;
  std::string asking_question;       ///< the category question code being asked, if any
  std::vector<std::string> choices;  ///< what "1", "2", ... mean: category ids or tracking ids
  std::string choice_kind;           ///< "category" or "request"
  int misses = 0;                    ///< messages in a row the bot did not understand
  bool opted_out = false;            ///< STOP received; nothing is ever sent until START
  std::optional<time_point> last_activity;
  std::optional<time_point> handoff_at;  ///< when the conversation was handed to staff
  std::string recent_request;            ///< tracking id the resident last reported or asked about
  std::string pending_note;              ///< text to add once the resident picks which request
};

/// The state as JSON, for the conversations table.
std::string to_json(const conversation_state& state);

/// Reads to_json's output; unknown or missing fields take their defaults (older rows load).
conversation_state conversation_from_json(std::string_view json);

/// One message from a resident, as any channel delivers it.
struct inbound_message {
  resident_key from;
  std::string text;
  std::vector<std::string> media_urls;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string external_id;  ///< the channel's message id (Twilio MessageSid), for idempotency
  time_point received_at{};
  /// Empty: the channel answers in its response (TwiML, chat JSON). Otherwise the replies are
  /// queued as notifications sent through this provider ("vonage" answers through its API).
  std::string reply_via{};
  /// The language the resident chose in the channel's own control (the web chat's switch):
  /// it becomes the reply language before the message is understood.
  std::optional<nlp::language> language{};
};

}  // namespace civicline::core
