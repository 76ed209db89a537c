#pragma once
// Shared by the dialog_*.cpp files: one turn of the dialog being worked out. Not part of
// the public API; the inbox uses only dialog.hpp.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dialog.hpp"

namespace civicline::core::detail {

/// Everything one step works with, and what it has produced so far.
struct turn {
  const conversation_state& before;
  conversation_state state;
  const inbound_message& message;
  const nlp::understanding& understood;
  const dialog_config& config;
  const world_view& world;
  time_point now;
  std::vector<std::string> words;  ///< the message, folded and split into words
  std::vector<std::string> replies;
  std::vector<action> actions;

  /// Appends the template `key` in the conversation's language.
  void say(std::string_view key, const std::map<std::string, std::string>& values = {});
  /// Renders the template `key` in the conversation's language without sending it.
  std::string text(std::string_view key,
                   const std::map<std::string, std::string>& values = {}) const;
  /// The category's config, or nullptr for an id the city does not use.
  const config::category* category(std::string_view code) const;
  /// The category's name in the conversation's language ("Pothole", "Bache").
  std::string category_name(std::string_view code) const;
  /// The language whose `list` holds the whole message as one entry, if any.
  std::optional<nlp::language> whole_message_in(std::string_view list) const;
  /// True when an entry of `list` (any language) occurs as consecutive words of the message.
  bool mentions(std::string_view list) const;
  /// The first tracking id the NLP found, if any.
  std::optional<std::string> tracking_id() const;
  /// The first address the NLP found, or the coordinates the channel sent, as a location.
  std::optional<core::location> place() const;
  /// A bare number answering a numbered menu ("2", "2.").
  std::optional<int> choice() const;
  /// The message text cut to config.max_text_chars at a character boundary.
  std::string text_for_storage() const;
  /// True when the message is blank and has no photos.
  bool empty() const;
};

// dialog_compliance.cpp
/// STOP/START/HELP and the silence of an opted-out address; true when the turn is done.
bool handle_compliance(turn& t);

// dialog_handoff.cpp
/// Hands the conversation to staff and tells the resident when to expect a reply.
void hand_off(turn& t, std::string_view reason, std::string_view key);
/// Emergency words: "call 911" first, then the handoff; true when the turn is done.
bool handle_emergency(turn& t);
/// "today at 8 AM", "Monday at 8 AM" or the open-now sentence, from the business hours.
std::string when_staff_reply(const turn& t);

// dialog_menu.cpp
/// The short menu (`key` is greeting, menu or not_understood) with numbered choices.
void show_menu(turn& t, std::string_view key);
/// A message the bot did not understand: re-ask with `key`, or hand off after two in a row.
void miss(turn& t, std::string_view key, const std::map<std::string, std::string>& values = {});
/// "español" / "english", or writing in the other language; true when the turn is done.
bool handle_language(turn& t);
/// "Reply 1 for X, 2 for Y" from names.
std::string numbered(const turn& t, const std::vector<std::string>& names);
/// A numbered answer to the menu.
void choose_from_menu(turn& t, int n);

// dialog_report.cpp
/// A new report from this message (whatever it already says).
void start_report(turn& t);
/// The next message while a draft is being collected.
void continue_report(turn& t);
/// The next message while the resident is asked to confirm the draft.
void handle_confirming(turn& t);
/// Asks for the first missing piece, or for confirmation when nothing is missing.
void ask_next(turn& t);
/// Drops the draft and whatever was asked about it.
void drop_draft(conversation_state& state);
/// Offers numbered categories when the NLP is unsure.
void clarify_category(turn& t);
/// A numbered answer to "which category" or "what should I change".
void choose_for_report(turn& t, int n);

// dialog_status.cpp
/// "status 311-000123", "any update on my pothole?".
void handle_status(turn& t);
/// A numbered pick from the list of the resident's requests.
void choose_request(turn& t, int n);
/// "also there's a second one" → a resident note; true when the turn is done.
bool handle_add_info(turn& t);
/// A numbered pick of the request a pending note goes to.
void choose_note_target(turn& t, int n);
/// True when the message reads as "how is my <category> going" for a request they follow.
bool is_status_of_followed_category(const turn& t);

}  // namespace civicline::core::detail
