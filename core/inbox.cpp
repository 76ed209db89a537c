#include "core/inbox.hpp"

#include <condition_variable>
#include <mutex>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/clock_text.hpp"
#include "core/duplicates.hpp"
#include "core/requests.hpp"
#include "core/status_page.hpp"
#include "nlp/understand.hpp"
#include "storage/attachments.hpp"
#include "storage/deliveries.hpp"
#include "storage/service_requests.hpp"

namespace civicline::core {
namespace {

/// The dialog's view of the database, for one resident, inside the turn's transaction.
class storage_world final : public world_view {
 public:
  storage_world(SQLite::Database& db, std::int64_t resident_id, const config::settings& settings)
      : db_(db), resident_id_(resident_id), settings_(settings) {}

  std::optional<service_request> find_request(std::string_view tracking_id) const override {
    auto record = storage::find_request(db_, tracking_id);
    return record ? std::optional(to_domain(*record)) : std::nullopt;
  }

  std::vector<service_request> followed_requests(std::size_t limit) const override {
    std::vector<service_request> out;
    for (const auto& record : storage::requests_followed_by(db_, resident_id_, limit)) {
      out.push_back(to_domain(record));
    }
    return out;
  }

  bool follows(std::string_view tracking_id) const override {
    auto record = storage::find_request(db_, tracking_id);
    return record && storage::is_follower(db_, record->id, resident_id_);
  }

  std::optional<service_request> find_duplicate(std::string_view category, const location& where,
                                                time_point now) const override {
    return find_open_duplicate(db_, settings_, category, where, now);
  }

 private:
  SQLite::Database& db_;
  std::int64_t resident_id_;
  const config::settings& settings_;
};

/// The dialog's settings for this city; `now` fixes the UTC offset of business hours.
dialog_config city_dialog_config(const config::settings& settings, const reply_templates* templates,
                                 time_point now) {
  dialog_config config;
  config.settings = &settings;
  config.templates = templates;
  config.program_name = settings.city.program_name;
  config.contact = settings.city.contact;
  config.draft_expiry = settings.city.draft_expiry;
  config.handoff_timeout = settings.city.handoff_timeout;
  const auto& hours = settings.city.business_hours;
  config.hours.opens = hours.opens;
  config.hours.closes = hours.closes;
  config.hours.days = hours.days;
  config.hours.utc_offset = utc_offset(settings.city.timezone, now);
  return config;
}

/// Residents' conversation states as last saved by this thread, with the text each was saved
/// as. Parsing the saved state was a good share of a turn, and the text in the database is
/// nearly always the one this thread wrote on the resident's previous turn: a saved text
/// equal to the remembered one gives the remembered state, so the memo can never be stale,
/// whoever else writes the table. Bounded: forgotten all at once when full.
class remembered_states {
 public:
  conversation_state parse(std::int64_t resident_id, const std::string& text) {
    if (const auto it = states_.find(resident_id); it != states_.end() && it->second.text == text) {
      return it->second.state;
    }
    return conversation_from_json(text);
  }

  /// `text` is to_json(state).
  void remember(std::int64_t resident_id, std::string text, const conversation_state& state) {
    if (text.find("\\ufffd") != std::string::npos) {
      states_.erase(resident_id);  // bytes that were not UTF-8 read back as U+FFFD: not exact
      return;
    }
    if (states_.size() >= capacity && !states_.contains(resident_id)) {
      states_.clear();
    }
    auto& entry = states_[resident_id];
    entry.text = std::move(text);
    entry.state = as_read_back(state);
  }

 private:
  static constexpr std::size_t capacity = 16 * 1024;

  /// What parsing to_json(state) gives: the saved form keeps times to the millisecond.
  static conversation_state as_read_back(conversation_state state) {
    for (auto* when : {&state.last_activity, &state.handoff_at}) {
      if (*when) {
        *when = std::chrono::floor<std::chrono::milliseconds>(**when);
      }
    }
    return state;
  }

  struct entry {
    std::string text;
    conversation_state state;
  };
  std::unordered_map<std::int64_t, entry> states_;
};

/// One per writer thread (the inbox runs its turns there).
remembered_states& states_of_this_thread() {
  thread_local remembered_states states;
  return states;
}

}  // namespace

/// Residents' expected next contexts, shared by the channels' threads (reading) and the
/// writer thread (after each turn). Bounded: forgotten all at once when full.
class context_board {
 public:
  std::optional<nlp::context> find(const std::string& key) const {
    std::lock_guard lock(mutex_);
    const auto it = contexts_.find(key);
    return it == contexts_.end() ? std::nullopt : std::optional(it->second);
  }

  void put(std::string key, nlp::context context) {
    std::lock_guard lock(mutex_);
    if (contexts_.size() >= capacity && !contexts_.contains(key)) {
      contexts_.clear();
    }
    contexts_.insert_or_assign(std::move(key), std::move(context));
  }

 private:
  static constexpr std::size_t capacity = 64 * 1024;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, nlp::context> contexts_;
};

namespace {

std::string board_key(const resident_key& who) {
  return std::string(to_string(who.channel)) + ":" + who.address;
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

}  // namespace

inbox::inbox(storage::database& db, const config::settings& settings, knowledge_source current,
             clock now)
    : db_(db),
      settings_(settings),
      current_(std::move(current)),
      now_(std::move(now)),
      expected_contexts_(std::make_shared<context_board>()) {}

nlp::context inbox::expected_context(const inbound_message& message) const {
  nlp::context context;
  if (auto known = expected_contexts_->find(board_key(message.from))) {
    context = *std::move(known);
  } else {
    // A resident without a turn yet starts in the city's first language, expecting nothing.
    const std::string first =
        settings_.city.languages.empty() ? "en" : settings_.city.languages.front();
    context.language_hint = nlp::language_from_string(first).value_or(nlp::language::en);
  }
  if (message.language) {
    context.language_hint = *message.language;
  }
  return context;
}

void inbox::receive(inbound_message message,
                    std::function<void(std::exception_ptr, turn_result)> done) {
  auto result = std::make_shared<turn_result>();
  auto known = current_();  // the knowledge in force when the message arrived
  // Read here, on the caller's thread, rather than on the writer thread that all turns share.
  early_reading early{expected_context(message), {}};
  early.understood = nlp::understand(message.text, *known.lexicon, early.context);
  db_.submit(
      [this, message = std::move(message), known = std::move(known), early = std::move(early),
       result](SQLite::Database& db) { *result = handle(db, message, known, early); },
      [result, done = std::move(done)](std::exception_ptr error) {
        done(error, error ? turn_result{} : std::move(*result));
      });
}

turn_result inbox::receive_and_wait(inbound_message message) {
  std::mutex mutex;
  std::condition_variable finished;
  bool ready = false;
  std::exception_ptr failure;
  turn_result outcome;
  receive(std::move(message), [&](std::exception_ptr error, turn_result result) {
    std::lock_guard lock(mutex);
    failure = error;
    outcome = std::move(result);
    ready = true;
    finished.notify_one();
  });
  std::unique_lock lock(mutex);
  finished.wait(lock, [&] { return ready; });
  if (failure) {
    std::rethrow_exception(failure);
  }
  return outcome;
}

turn_result inbox::handle(SQLite::Database& db, const inbound_message& message,
                          const knowledge& known, const early_reading& early) const {
  const auto now = message.received_at == time_point{} ? now_() : message.received_at;
  const auto now_text = to_iso8601(now);
  const std::string default_language =
      settings_.city.languages.empty() ? "en" : settings_.city.languages.front();
  const auto channel_name = to_string(message.from.channel);
  auto resident = storage::find_or_create_resident(db, channel_name, message.from.address,
                                                   default_language, now_text);
  turn_result result;
  result.resident_id = resident.id;

  const auto message_id = storage::insert_message(
      db, {0, resident.id, "in", message.text, message.external_id, std::nullopt, now_text});
  if (!message_id) {
    // A provider retry (its first delivery timed out on its side): it was handled the first
    // time, and the resident must get the same answer, not a second turn.
    result.repeated_delivery = true;
    if (const auto first = storage::find_inbound_message(db, resident.id, message.external_id)) {
      result.replies = storage::replies_to(db, *first);
    }
    return result;
  }
  if (over_rate_limit(db, resident.id, message.from.channel, now, known, result)) {
    for (const auto& reply : result.replies) {
      store_reply(db, resident.id, reply, std::nullopt, *message_id, message.reply_via, now_text);
    }
    result.queued_replies = message.reply_via.empty() ? 0 : result.replies.size();
    if (!message.reply_via.empty()) {
      result.replies.clear();
    }
    return result;
  }

  conversation_state state;
  if (auto saved = storage::load_conversation(db, resident.id)) {
    state = states_of_this_thread().parse(resident.id, *saved);
  } else {
    state.language = nlp::language_from_string(resident.language).value_or(nlp::language::en);
  }
  if (message.language && *message.language != state.language) {
    state.language = *message.language;
    storage::set_resident_language(db, resident.id, nlp::to_string(state.language));
  }
  state.opted_out = resident.opted_out_at.has_value();

  const auto context = understanding_context(state);
  const auto understood = context == early.context
                              ? early.understood
                              : nlp::understand(message.text, *known.lexicon, context);
  result.intent = understood.intent;

  const dialog_config config = city_dialog_config(settings_, known.templates.get(), now);
  const storage_world world(db, resident.id, settings_);
  auto outcome = step(state, message, understood, config, world, now);

  std::optional<std::int64_t> request_id;
  const actor resident_actor{actor::kind::resident, std::to_string(resident.id)};
  const auto language = std::string(nlp::to_string(outcome.state.language));
  for (const auto& act : outcome.actions) {
    if (const auto* create = std::get_if<create_request>(&act)) {
      const auto created = create_service_request(db, create->draft, message.from.channel, language,
                                                  resident.id, settings_, now);
      result.created_tracking_id = created.tracking_id;
      request_id = created.id;
    } else if (const auto* follow = std::get_if<follow_request>(&act)) {
      if (auto record = storage::find_request(db, follow->tracking_id)) {
        follow_service_request(db, to_domain(*record), resident.id, now);
        // A report that turned out to be a duplicate brings its photos (MMS or web chat) to
        // the request the resident now follows, as a new report would have kept them.
        std::vector<std::string> media = state.draft.media_urls;
        media.insert(media.end(), message.media_urls.begin(), message.media_urls.end());
        storage::add_request_media(db, record->id, media);
        request_id = record->id;
      }
    } else if (const auto* note = std::get_if<add_resident_note>(&act)) {
      if (auto record = storage::find_request(db, note->tracking_id)) {
        add_request_note(db, to_domain(*record), resident_actor, note->text, "", now);
        request_id = record->id;
      }
    } else if (const auto* handoff = std::get_if<request_handoff>(&act)) {
      storage::open_handoff(db, resident.id, handoff->reason, now_text);
      record_event(db, "conversation.handoff_requested",
                   nlohmann::json{{"conversation_id", resident.id},
                                  {"channel", channel_name},
                                  {"reason", handoff->reason}}
                       .dump(),
                   now);
    } else if (const auto* opt = std::get_if<set_opt_out>(&act)) {
      storage::set_resident_opt_out(
          db, resident.id,
          opt->opted_out ? std::optional<std::string_view>(now_text) : std::nullopt);
    } else if (const auto* lang = std::get_if<set_language>(&act)) {
      storage::set_resident_language(db, resident.id, nlp::to_string(lang->lang));
    }
  }

  nlohmann::json received = {{"message_id", *message_id},
                             {"conversation_id", resident.id},
                             {"channel", channel_name},
                             {"language", nlp::to_string(understood.lang)},
                             {"intent", nlp::to_string(understood.intent)}};
  if (understood.category) {
    received["category"] = *understood.category;
  }
  record_event(db, "message.received", received.dump(), now);
  auto saved_state = to_json(outcome.state);
  storage::save_conversation(db, resident.id, saved_state, now_text);
  // Remembered before the commit: if the batch rolls back, the row keeps its old text, which
  // differs from this one, so the memo is simply not used.
  states_of_this_thread().remember(resident.id, std::move(saved_state), outcome.state);
  expected_contexts_->put(board_key(message.from), understanding_context(outcome.state));

  // Nothing, ever, goes to an address that has opted out.
  if (!outcome.state.opted_out) {
    for (auto& reply : outcome.replies) {
      if (result.created_tracking_id) {
        replace_all(reply, "{tracking_id}", *result.created_tracking_id);
        replace_all(reply, "{status_url}", status_link(settings_, *result.created_tracking_id));
      }
      replace_all(reply, "{status_url}", "");
      store_reply(db, resident.id, reply, request_id, *message_id, message.reply_via, now_text);
      if (message.reply_via.empty()) {
        result.replies.push_back(std::move(reply));
      } else {
        ++result.queued_replies;
      }
    }
  }
  return result;
}

bool inbox::over_rate_limit(SQLite::Database& db, std::int64_t resident_id, channel from,
                            time_point now, const knowledge& known, turn_result& result) const {
  const int limit = from == channel::sms ? settings_.sms.max_messages_per_minute : 0;
  if (limit <= 0) {
    return false;
  }
  const auto sent = storage::count_inbound_since(
      db, resident_id, to_iso8601(now - std::chrono::minutes(1) + std::chrono::milliseconds(1)));
  if (sent <= limit) {
    return false;
  }
  result.rate_limited = true;
  // One polite answer when the limit is first passed; silence after that, so a runaway
  // sender (or a loop between two bots) cannot run up the city's SMS bill.
  if (sent == limit + 1) {
    const auto resident = storage::find_resident(db, resident_id);
    if (resident && !resident->opted_out_at) {
      const auto lang = nlp::language_from_string(resident->language).value_or(nlp::language::en);
      result.replies.push_back(known.templates->render(lang, "rate_limited"));
    }
  }
  return true;
}

void inbox::store_reply(SQLite::Database& db, std::int64_t resident_id, const std::string& reply,
                        std::optional<std::int64_t> request_id, std::int64_t in_reply_to,
                        const std::string& reply_via, const std::string& now_text) const {
  if (reply_via.empty()) {
    storage::insert_message(db,
                            {0, resident_id, "out", reply, "", request_id, now_text, in_reply_to});
    return;
  }
  // Sent later by the provider's client, which also stores it in the conversation then.
  storage::notification_record queued;
  queued.resident_id = resident_id;
  queued.request_id = request_id;
  queued.body = reply;
  queued.status = "pending";
  queued.created_at = now_text;
  queued.next_attempt_at = now_text;
  queued.via = reply_via;
  storage::insert_notification(db, queued);
}

}  // namespace civicline::core
