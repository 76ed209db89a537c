#include "core/handoffs.hpp"

#include <nlohmann/json.hpp>

#include "core/clock_text.hpp"
#include "core/conversation.hpp"
#include "core/dialog.hpp"
#include "core/requests.hpp"
#include "storage/service_requests.hpp"

namespace civicline::core {
namespace {

/// The handoff if staff may still act on it; `outcome` says why not otherwise.
std::optional<storage::handoff_record> open_handoff_for(SQLite::Database& db, std::int64_t id,
                                                        handoff_outcome& outcome) {
  auto handoff = storage::find_handoff(db, id);
  if (!handoff) {
    return std::nullopt;
  }
  outcome.found = true;
  if (handoff->status == "closed") {
    outcome.refusal = "the conversation was handed back to the bot already";
    return std::nullopt;
  }
  return handoff;
}

void update_state(SQLite::Database& db, std::int64_t resident_id, time_point now,
                  conversation_state (*change)(conversation_state, time_point)) {
  const auto saved = storage::load_conversation(db, resident_id);
  auto state = change(saved ? conversation_from_json(*saved) : conversation_state{}, now);
  storage::save_conversation(db, resident_id, to_json(state), to_iso8601(now));
}

}  // namespace

handoff_outcome reply_to_handoff(SQLite::Database& db, std::int64_t handoff_id, const actor& by,
                                 std::string_view text, time_point now) {
  handoff_outcome outcome;
  const auto handoff = open_handoff_for(db, handoff_id, outcome);
  if (!handoff) {
    return outcome;
  }
  const auto now_text = to_iso8601(now);
  storage::notification_record reply;
  reply.resident_id = handoff->resident_id;
  reply.body = std::string(text);
  reply.status = "pending";
  reply.created_at = now_text;
  reply.next_attempt_at = now_text;
  const auto resident = storage::find_resident(db, handoff->resident_id);
  outcome.suppressed = resident && resident->opted_out_at.has_value();
  storage::insert_notification(db, reply);  // stored as suppressed after STOP
  storage::update_handoff_status(db, handoff->id, "answered", now_text);
  // Staff hold the conversation: the bot stays quiet for another handoff timeout.
  update_state(db, handoff->resident_id, now, [](conversation_state state, time_point at) {
    state.stage = dialog_stage::waiting_for_staff;
    state.handoff_at = at;
    return state;
  });
  record_event(
      db, "conversation.staff_replied",
      nlohmann::json{
          {"conversation_id", handoff->resident_id}, {"handoff_id", handoff->id}, {"by", by.id}}
          .dump(),
      now);
  return outcome;
}

handoff_outcome close_handoff(SQLite::Database& db, std::int64_t handoff_id, const actor& by,
                              time_point now) {
  handoff_outcome outcome;
  const auto handoff = open_handoff_for(db, handoff_id, outcome);
  if (!handoff) {
    return outcome;
  }
  storage::update_handoff_status(db, handoff->id, "closed", to_iso8601(now));
  update_state(db, handoff->resident_id, now,
               [](conversation_state state, time_point) { return staff_answered(state); });
  record_event(
      db, "conversation.handoff_closed",
      nlohmann::json{
          {"conversation_id", handoff->resident_id}, {"handoff_id", handoff->id}, {"by", by.id}}
          .dump(),
      now);
  return outcome;
}

}  // namespace civicline::core
