#include "channels/sms_delivery.hpp"

#include <array>
#include <utility>

namespace civicline::channels {
namespace {

constexpr std::array<std::pair<delivery_status, std::string_view>, 13> names{{
    {delivery_status::scheduled, "scheduled"},
    {delivery_status::accepted, "accepted"},
    {delivery_status::queued, "queued"},
    {delivery_status::sending, "sending"},
    {delivery_status::sent, "sent"},
    {delivery_status::delivered, "delivered"},
    {delivery_status::read, "read"},
    {delivery_status::partially_delivered, "partially_delivered"},
    {delivery_status::undelivered, "undelivered"},
    {delivery_status::failed, "failed"},
    {delivery_status::canceled, "canceled"},
    {delivery_status::receiving, "receiving"},
    {delivery_status::received, "received"},
}};

/// How far along an outbound message is; statuses of equal rank do not replace each other.
int outbound_rank(delivery_status status) {
  switch (status) {
    case delivery_status::scheduled:
      return 0;
    case delivery_status::accepted:
      return 1;
    case delivery_status::queued:
      return 2;
    case delivery_status::sending:
      return 3;
    case delivery_status::sent:
      return 4;
    default:
      return 5;  // final
  }
}

bool is_inbound(delivery_status status) {
  return status == delivery_status::receiving || status == delivery_status::received;
}

}  // namespace

std::optional<delivery_status> parse_delivery_status(std::string_view text) {
  for (const auto& [status, name] : names) {
    if (name == text) {
      return status;
    }
  }
  return std::nullopt;
}

std::optional<delivery_status> parse_vonage_delivery_status(std::string_view text) {
  if (text == "delivered") {
    return delivery_status::delivered;
  }
  if (text == "accepted" || text == "buffered") {
    return delivery_status::sent;
  }
  if (text == "expired") {
    return delivery_status::undelivered;
  }
  if (text == "failed" || text == "rejected") {
    return delivery_status::failed;
  }
  return std::nullopt;
}

std::string_view to_string(delivery_status status) {
  for (const auto& [value, name] : names) {
    if (value == status) {
      return name;
    }
  }
  return "unknown";
}

bool is_final(delivery_status status) {
  switch (status) {
    case delivery_status::delivered:
    case delivery_status::read:
    case delivery_status::partially_delivered:
    case delivery_status::undelivered:
    case delivery_status::failed:
    case delivery_status::canceled:
    case delivery_status::received:
      return true;
    default:
      return false;
  }
}

bool delivery_status_may_replace(delivery_status current, delivery_status incoming) {
  if (current == incoming || is_inbound(current) != is_inbound(incoming)) {
    return false;
  }
  if (is_inbound(current)) {
    return current == delivery_status::receiving;
  }
  if (is_final(current)) {
    // Read receipts (WhatsApp, RCS) follow delivery.
    return incoming == delivery_status::read && (current == delivery_status::delivered ||
                                                 current == delivery_status::partially_delivered);
  }
  if (incoming == delivery_status::canceled) {
    // Only a message that has not left Twilio's queue can be canceled.
    return outbound_rank(current) <= outbound_rank(delivery_status::queued);
  }
  return outbound_rank(incoming) > outbound_rank(current);
}

}  // namespace civicline::channels
