#pragma once
// The one entry point for residents' messages from every channel (SMS, web
// chat, the terminal): store the message, understand it, step the dialog, and
// carry out what the step decided — all in one durable transaction.

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.hpp"
#include "core/conversation.hpp"
#include "core/dialog.hpp"
#include "nlp/lexicon.hpp"
#include "storage/database.hpp"

namespace civicline::core {

/// The rule packs and reply templates in force; swapped as a whole on reload.
struct knowledge {
  std::shared_ptr<const nlp::lexicon> lexicon;
  std::shared_ptr<const reply_templates> templates;
};

/// What a channel needs to answer one message.
struct turn_result {
  std::vector<std::string> replies;  ///< to send now, in order; none when opted out
  /// The channel sent this message id before: nothing was redone, and `replies` are the ones
  /// given the first time.
  bool repeated_delivery = false;
  /// The sender is over the per-minute limit: the message is stored, the dialog not run.
  bool rate_limited = false;
  std::size_t queued_replies = 0;  ///< replies queued as notifications (message.reply_via)
  std::optional<std::string> created_tracking_id;
  std::int64_t resident_id = 0;
  nlp::intent intent = nlp::intent::unknown;  ///< for logs (never the text)
};

class inbox {
 public:
  using knowledge_source = std::function<knowledge()>;
  using clock = std::function<time_point()>;

  inbox(storage::database& db, const config::settings& settings, knowledge_source current,
        clock now = std::chrono::system_clock::now);

  /// Handles one message in one transaction; `done` runs (on the writer thread) once the
  /// transaction is durable, or with the error that rolled it back.
  void receive(inbound_message message, std::function<void(std::exception_ptr, turn_result)> done);

  /// Blocking form, for the CLI and tests.
  turn_result receive_and_wait(inbound_message message);

  const config::settings& settings() const { return settings_; }

 private:
  /// The message read before the turn, against the context its resident's conversation was
  /// expected to be in; the turn uses it only when the context turns out to be that one.
  struct early_reading {
    nlp::context context;
    nlp::understanding understood;
  };

  turn_result handle(SQLite::Database& db, const inbound_message& message, const knowledge& known,
                     const early_reading& early) const;
  /// The context the resident's next message will most likely be read in (what their last
  /// turn left), adjusted for the language the channel asks for.
  nlp::context expected_context(const inbound_message& message) const;
  /// True when the sender passed the channel's per-minute limit; `result` then holds the
  /// one polite "please wait" (only for the first message over it).
  bool over_rate_limit(SQLite::Database& db, std::int64_t resident_id, channel from, time_point now,
                       const knowledge& known, turn_result& result) const;
  /// Keeps a reply in the conversation, or queues it for `reply_via` when set.
  void store_reply(SQLite::Database& db, std::int64_t resident_id, const std::string& reply,
                   std::optional<std::int64_t> request_id, std::int64_t in_reply_to,
                   const std::string& reply_via, const std::string& now_text) const;

  storage::database& db_;
  const config::settings& settings_;
  knowledge_source current_;
  clock now_;
  /// What each resident's last turn left as the context for their next message, so that the
  /// channel's thread can read the message before the turn and the writer thread, which
  /// every turn waits for, does not have to. Only a guess: the turn checks it.
  std::shared_ptr<class context_board> expected_contexts_;
};

}  // namespace civicline::core
