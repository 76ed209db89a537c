#pragma once
// Delivery status of an SMS we sent, as providers report it in status callbacks. Callbacks can
// arrive late, twice or out of order, so a stored status only ever moves forward.

#include <optional>
#include <string_view>

namespace civicline::channels {

/// Twilio's message statuses (the Message resource's `status`), in the order a message passes
/// through them. receiving/received belong to inbound messages.
enum class delivery_status {
  scheduled,
  accepted,
  queued,
  sending,
  sent,
  delivered,
  read,
  partially_delivered,
  undelivered,
  failed,
  canceled,
  receiving,
  received,
};

/// Reads Twilio's MessageStatus ("delivered"); nullopt for a value we do not know.
std::optional<delivery_status> parse_delivery_status(std::string_view text);

/// Reads a Vonage delivery receipt's `status`: delivered -> delivered, accepted and buffered ->
/// sent (the carrier has it), expired -> undelivered, failed and rejected -> failed. "unknown"
/// and anything else give nullopt: the receipt says nothing we can act on.
std::optional<delivery_status> parse_vonage_delivery_status(std::string_view text);

/// Twilio's spelling ("partially_delivered").
std::string_view to_string(delivery_status status);

/// True when no further status is expected: delivered, read, partially_delivered, undelivered,
/// failed, canceled, received. (A delivered message may still be read; see below.)
bool is_final(delivery_status status);

/// True when a callback reporting `incoming` should replace the stored `current`: it is a
/// different status further along (scheduled/accepted -> queued -> sending -> sent -> delivered
/// -> read; any of those before delivered -> undelivered/failed; scheduled/accepted/queued ->
/// canceled; receiving -> received). A final status is never replaced, except delivered (and
/// partially_delivered) by read. Inbound and outbound statuses never replace each other.
bool delivery_status_may_replace(delivery_status current, delivery_status incoming);

}  // namespace civicline::channels
