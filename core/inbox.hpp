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
  bool repeated_delivery = false;    ///< the channel sent this message id before; nothing redone
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
  turn_result handle(SQLite::Database& db, const inbound_message& message,
                     const knowledge& known) const;

  storage::database& db_;
  const config::settings& settings_;
  knowledge_source current_;
  clock now_;
};

}  // namespace civicline::core
