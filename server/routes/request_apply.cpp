#include "server/routes/request_apply.hpp"

#include "core/request_edits.hpp"
#include "core/requests.hpp"

namespace civicline::server {

applied_change apply_request_patch(SQLite::Database& db, const std::string& id,
                                   const request_patch& patch, const core::actor& by,
                                   const config::settings& settings,
                                   const core::reply_templates& templates, core::time_point now) {
  const auto found = storage::find_request(db, id);
  if (!found) {
    throw change_refused(404, id, "No request has the id \"" + id.substr(0, 40) + "\".");
  }
  applied_change applied;
  // The internal note goes with the status change when there is one, else with the edit.
  std::string edit_note = patch.status ? "" : patch.internal_note;
  if (patch.edits_fields()) {
    core::request_edit edit;
    edit.category = patch.category;
    edit.where = patch.where;
    edit.team = patch.team;
    edit.assignee = patch.assignee;
    edit.priority = patch.priority;
    edit.by = by;
    edit.internal_note = edit_note;
    const auto edited = core::edit_request(db, id, edit, settings, now);
    if (!edited.refusal.empty()) {
      throw change_refused(422, id, edited.refusal);
    }
    if (!edited.changed.empty()) {
      edit_note.clear();  // written with the first changed field
    }
  }
  if (patch.status) {
    core::status_change change;
    change.to = *core::status_from_string(*patch.status);
    change.by = by;
    change.public_note = patch.public_note;
    change.internal_note = patch.internal_note;
    change.duplicate_of = patch.duplicate_of;
    const auto changed = core::change_request_status(db, id, change, settings, templates, now);
    if (!changed.updated) {
      throw change_refused(409, id, changed.refusal);
    }
    applied.notified = changed.notified;
  } else if (!patch.public_note.empty() || !edit_note.empty()) {
    // A note on its own (the edit, if any, already took the internal one).
    const auto current = storage::find_request(db, id);
    core::add_request_note(db, core::to_domain(*current), by, patch.public_note, edit_note, now);
  }
  return applied;
}

}  // namespace civicline::server
