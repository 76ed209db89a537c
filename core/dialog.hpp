#pragma once
// The dialog engine: one pure step per resident message.
//   step(state, message, understanding, config, world, now) -> {new state, replies, actions}
// No I/O: facts about existing requests come through `world_view`, and what must change in
// the database comes back as actions that the inbox carries out in one transaction.

#include <array>
#include <chrono>
#include <variant>

#include "config/settings.hpp"
#include "core/conversation.hpp"
#include "core/reply_templates.hpp"

namespace civicline::core {

/// Read-only facts the dialog may consult. The inbox answers from the database inside the
/// turn's transaction; tests answer from memory.
class world_view {
 public:
  virtual ~world_view() = default;
  /// The request with this (normalised) tracking id.
  virtual std::optional<service_request> find_request(std::string_view tracking_id) const = 0;
  /// Requests this resident reported or follows, newest first.
  virtual std::vector<service_request> followed_requests(std::size_t limit) const = 0;
  /// True when this resident follows the request.
  virtual bool follows(std::string_view tracking_id) const = 0;
  /// An open request of `category` at the same place reported recently, if any.
  virtual std::optional<service_request> find_duplicate(std::string_view category,
                                                        const location& where,
                                                        time_point now) const = 0;
};

/// Create a service request from the draft; replies may use {tracking_id}, which the
/// inbox fills in once the request exists.
struct create_request {
  core::draft draft;
};
/// Make the resident a follower of an existing request (a duplicate report, say).
struct follow_request {
  std::string tracking_id;
};
/// Add what the resident wrote to a request they follow; staff see it.
struct add_resident_note {
  std::string tracking_id;
  std::string text;
};
/// Put the conversation in the staff queue.
struct request_handoff {
  std::string reason;  ///< "asked", "not_understood", "emergency"
};
/// Record STOP (true) or START (false).
struct set_opt_out {
  bool opted_out = true;
};
/// Remember the resident's reply language (sticky across conversations).
struct set_language {
  nlp::language lang = nlp::language::en;
};
using action = std::variant<create_request, follow_request, add_resident_note, request_handoff,
                            set_opt_out, set_language>;

struct step_result {
  conversation_state state;
  std::vector<std::string> replies;  ///< in order; empty after STOP
  std::vector<action> actions;
};

/// When staff answer handed-off conversations, in the city's local time.
struct business_hours {
  std::chrono::minutes opens{8 * 60};                                    ///< after local midnight
  std::chrono::minutes closes{17 * 60};                                  ///< after local midnight
  std::array<bool, 7> days{false, true, true, true, true, true, false};  ///< Sunday first
  std::chrono::minutes utc_offset{0};  ///< local = UTC + offset; the inbox computes it for `now`
};

/// What the dialog needs from the city's configuration.
struct dialog_config {
  const config::settings* settings = nullptr;  ///< categories, city name, languages
  const reply_templates* templates = nullptr;
  std::chrono::minutes draft_expiry{30};
  double clarify_below = 0.55;  ///< category confidence under which the bot asks instead
  core::business_hours hours;
  std::chrono::hours handoff_timeout{72};  ///< unanswered handoffs stop silencing the bot
  std::string program_name;                ///< for HELP/INFO; empty means "<city name> 311"
  std::string contact;                     ///< for HELP/INFO, e.g. "call 311 or visit city.gov/311"
  std::size_t max_text_chars = 1000;       ///< descriptions and notes are cut to this many bytes
};

/// What the NLP should know about this conversation when it reads the next message.
nlp::context understanding_context(const conversation_state& state);

/// The state after staff answered or closed a handed-off conversation: the bot talks again.
conversation_state staff_answered(const conversation_state& state);

/// Moves the conversation on by one resident message.
step_result step(const conversation_state& state, const inbound_message& message,
                 const nlp::understanding& understood, const dialog_config& config,
                 const world_view& world, time_point now);

}  // namespace civicline::core
