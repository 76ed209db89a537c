// The body partners receive: the Standard Webhooks envelope, stable bytes, no PII by default.

#include "channels/webhook_payload.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace channels = civicline::channels;
using nlohmann::json;

namespace {

civicline::storage::outbox_event status_event() {
  return {7, "evt_abc", "request.status_changed",
          R"({"tracking_id":"311-000001","category":"pothole","status":"resolved",)"
          R"("description":"in front of Ana Diaz's house","media_urls":["https://x/1.jpg"],)"
          R"("attributes":{"size":"large"},"location":{"address":"55 N Center St"}})",
          "2026-11-28T13:45:00.000Z"};
}

}  // namespace

TEST_CASE("the body is the type, the event's time and its data") {
  const auto body = json::parse(channels::webhook_body(status_event(), true));
  CHECK(body["type"] == "request.status_changed");
  CHECK(body["timestamp"] == "2026-11-28T13:45:00.000Z");
  CHECK(body["data"]["tracking_id"] == "311-000001");
  CHECK(body["data"]["description"] == "in front of Ana Diaz's house");
}

TEST_CASE("without the PII grant, what residents wrote or sent stays out") {
  const auto body = json::parse(channels::webhook_body(status_event(), false));
  CHECK(body["data"]["status"] == "resolved");
  CHECK(body["data"]["location"]["address"] == "55 N Center St");
  CHECK_FALSE(body["data"].contains("description"));
  CHECK_FALSE(body["data"].contains("media_urls"));
  CHECK_FALSE(body["data"].contains("attributes"));
}

TEST_CASE("the same event always gives the same bytes (retries are identical)") {
  CHECK(channels::webhook_body(status_event(), false) ==
        channels::webhook_body(status_event(), false));
}

TEST_CASE("facts of a payload: category and tracking id, when present") {
  const auto facts = channels::facts_of(status_event().payload_json);
  CHECK(facts.category == std::optional<std::string>("pothole"));
  CHECK(facts.tracking_id == "311-000001");
  const auto none = channels::facts_of(R"({"conversation_id": 4})");
  CHECK_FALSE(none.category);
  CHECK(none.tracking_id.empty());
  CHECK(channels::facts_of("not json").tracking_id.empty());
}
