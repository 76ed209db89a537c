#include "channels/sms_delivery.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace civicline::channels;
using ds = delivery_status;

namespace {

const std::vector<delivery_status> all_statuses{
    ds::scheduled,   ds::accepted,  ds::queued,   ds::sending,
    ds::sent,        ds::delivered, ds::read,     ds::partially_delivered,
    ds::undelivered, ds::failed,    ds::canceled, ds::receiving,
    ds::received};

}  // namespace

TEST_CASE("parse_delivery_status and to_string round-trip every Twilio status") {
  for (const auto status : all_statuses) {
    INFO(to_string(status));
    CHECK(parse_delivery_status(to_string(status)) == status);
  }
  CHECK(to_string(ds::partially_delivered) == "partially_delivered");
  CHECK(parse_delivery_status("delivered") == ds::delivered);
}

TEST_CASE("parse_delivery_status rejects unknown spellings") {
  CHECK(parse_delivery_status("") == std::nullopt);
  CHECK(parse_delivery_status("Delivered") == std::nullopt);
  CHECK(parse_delivery_status("delivered ") == std::nullopt);
  CHECK(parse_delivery_status("cancelled") == std::nullopt);
  CHECK(parse_delivery_status("unknown") == std::nullopt);
}

TEST_CASE("parse_vonage_delivery_status maps Vonage receipts") {
  CHECK(parse_vonage_delivery_status("delivered") == ds::delivered);
  CHECK(parse_vonage_delivery_status("accepted") == ds::sent);
  CHECK(parse_vonage_delivery_status("buffered") == ds::sent);
  CHECK(parse_vonage_delivery_status("expired") == ds::undelivered);
  CHECK(parse_vonage_delivery_status("failed") == ds::failed);
  CHECK(parse_vonage_delivery_status("rejected") == ds::failed);
  CHECK(parse_vonage_delivery_status("unknown") == std::nullopt);
  CHECK(parse_vonage_delivery_status("DELIVRD") == std::nullopt);
}

TEST_CASE("is_final marks the statuses after which nothing more is expected") {
  for (const auto status : {ds::delivered, ds::read, ds::partially_delivered, ds::undelivered,
                            ds::failed, ds::canceled, ds::received}) {
    INFO(to_string(status));
    CHECK(is_final(status));
  }
  for (const auto status :
       {ds::scheduled, ds::accepted, ds::queued, ds::sending, ds::sent, ds::receiving}) {
    INFO(to_string(status));
    CHECK_FALSE(is_final(status));
  }
}

TEST_CASE("a delivery status moves forward along queued, sending, sent, delivered, read") {
  const std::vector<delivery_status> order{ds::scheduled, ds::accepted,  ds::queued, ds::sending,
                                           ds::sent,      ds::delivered, ds::read};
  for (std::size_t i = 0; i < order.size(); ++i) {
    for (std::size_t j = 0; j < order.size(); ++j) {
      INFO(to_string(order[i]) << " -> " << to_string(order[j]));
      CHECK(delivery_status_may_replace(order[i], order[j]) == (j > i));
    }
  }
}

TEST_CASE("a repeated callback changes nothing") {
  for (const auto status : all_statuses) {
    INFO(to_string(status));
    CHECK_FALSE(delivery_status_may_replace(status, status));
  }
}

TEST_CASE("failure can follow any non-final outbound status, and is final") {
  for (const auto current : {ds::scheduled, ds::accepted, ds::queued, ds::sending, ds::sent}) {
    INFO(to_string(current));
    CHECK(delivery_status_may_replace(current, ds::failed));
    CHECK(delivery_status_may_replace(current, ds::undelivered));
  }
  for (const auto incoming : all_statuses) {
    INFO(to_string(incoming));
    CHECK_FALSE(delivery_status_may_replace(ds::failed, incoming));
    CHECK_FALSE(delivery_status_may_replace(ds::undelivered, incoming));
    CHECK_FALSE(delivery_status_may_replace(ds::canceled, incoming));
    CHECK_FALSE(delivery_status_may_replace(ds::received, incoming));
  }
}

TEST_CASE("a late 'sent' never undoes 'delivered'; only 'read' follows it") {
  CHECK_FALSE(delivery_status_may_replace(ds::delivered, ds::sent));
  CHECK_FALSE(delivery_status_may_replace(ds::delivered, ds::queued));
  CHECK_FALSE(delivery_status_may_replace(ds::delivered, ds::failed));
  CHECK_FALSE(delivery_status_may_replace(ds::delivered, ds::undelivered));
  CHECK(delivery_status_may_replace(ds::delivered, ds::read));
  CHECK(delivery_status_may_replace(ds::partially_delivered, ds::read));
  CHECK_FALSE(delivery_status_may_replace(ds::read, ds::delivered));
  CHECK(delivery_status_may_replace(ds::sent, ds::partially_delivered));
  CHECK_FALSE(delivery_status_may_replace(ds::partially_delivered, ds::delivered));
}

TEST_CASE("only a message still waiting to leave can be canceled") {
  CHECK(delivery_status_may_replace(ds::scheduled, ds::canceled));
  CHECK(delivery_status_may_replace(ds::accepted, ds::canceled));
  CHECK(delivery_status_may_replace(ds::queued, ds::canceled));
  CHECK_FALSE(delivery_status_may_replace(ds::sending, ds::canceled));
  CHECK_FALSE(delivery_status_may_replace(ds::sent, ds::canceled));
  CHECK_FALSE(delivery_status_may_replace(ds::delivered, ds::canceled));
}

TEST_CASE("inbound and outbound statuses never replace each other") {
  CHECK(delivery_status_may_replace(ds::receiving, ds::received));
  CHECK_FALSE(delivery_status_may_replace(ds::received, ds::receiving));
  for (const auto outbound : {ds::scheduled, ds::accepted, ds::queued, ds::sending, ds::sent,
                              ds::delivered, ds::failed}) {
    INFO(to_string(outbound));
    CHECK_FALSE(delivery_status_may_replace(outbound, ds::received));
    CHECK_FALSE(delivery_status_may_replace(ds::receiving, outbound));
  }
}
