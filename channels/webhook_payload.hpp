#pragma once
// The body a partner's webhook carries, built from an outbox event: the Standard Webhooks
// envelope {"type", "timestamp", "data"}. The same event always gives the same bytes, so a
// retry is identical to the first attempt. Without the subscription's PII grant, fields that
// can identify a resident (free text they typed, their photos, their conversation id, staff
// names) are left out.

#include <optional>
#include <string>
#include <string_view>

#include "storage/service_requests.hpp"

namespace civicline::channels {

/// The JSON body for `event`; `include_pii` keeps every field of the stored payload.
std::string webhook_body(const storage::outbox_event& event, bool include_pii);

/// What the dispatcher needs to know about an event without decoding it twice.
struct event_facts {
  std::optional<std::string> category;  ///< the request's category, when the event has one
  std::string tracking_id;              ///< "" when the event is not about a request
};
/// The facts of a stored payload; an unreadable payload has none.
event_facts facts_of(std::string_view payload_json);

}  // namespace civicline::channels
