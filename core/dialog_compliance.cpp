// Carrier compliance keywords. They come before everything else, in every stage: an
// opted-out address never gets a message, whatever it sends, until it opts back in.

#include "core/dialog_internal.hpp"

namespace civicline::core::detail {

bool handle_compliance(turn& t) {
  if (t.whole_message_in("opt_out")) {
    if (!t.state.opted_out)
      t.actions.emplace_back(set_opt_out{true});
    t.state.opted_out = true;
    drop_draft(t.state);
    return true;  // and no reply: the carrier sends its own confirmation
  }
  if (t.state.opted_out) {
    if (const auto lang = t.whole_message_in("opt_in")) {
      t.state.opted_out = false;
      t.actions.emplace_back(set_opt_out{false});
      if (*lang != t.state.language) {  // "sí" is an answer in Spanish
        t.state.language = *lang;
        t.actions.emplace_back(set_language{*lang});
      }
      t.say("opted_in");
    }
    return true;
  }
  if (t.whole_message_in("info")) {
    t.say("info");
    return true;
  }
  return false;
}

}  // namespace civicline::core::detail
