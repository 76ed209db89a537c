#include "core/conversation.hpp"

#include <catch2/catch.hpp>

namespace civicline::core {

TEST_CASE("conversation state survives a JSON round trip", "[conversation]") {
  using namespace std::chrono_literals;
  conversation_state s;
  s.language = nlp::language::es;
  s.stage = dialog_stage::clarifying;
  s.draft.category = "water_leak";
  s.draft.location = location{"calle Juárez 45", "calle juarez 45", 33.4, -111.8};
  s.draft.description = "sale mucha agua";
  s.draft.media_urls = {"https://example.com/1.jpg"};
  s.draft.answers = {{"flooding", "yes"}};
  s.expecting = nlp::expectation::choice;
  s.asking_question = "flooding";
  s.choices = {"water_leak", "sewer_drain", ""};
  s.choice_kind = "category";
  s.misses = 1;
  s.opted_out = true;
  s.last_activity = time_point{1'772'643'600'123ms};
  s.handoff_at = time_point{1'772'643'000'000ms};
  s.recent_request = "311-000120";
  s.pending_note = "también hay otro";

  const conversation_state back = conversation_from_json(to_json(s));
  CHECK(back.language == s.language);
  CHECK(back.stage == s.stage);
  CHECK(back.draft.category == s.draft.category);
  REQUIRE(back.draft.location.has_value());
  CHECK(back.draft.location->text == "calle Juárez 45");
  CHECK(back.draft.location->key == "calle juarez 45");
  CHECK(back.draft.location->lat == 33.4);
  CHECK(back.draft.location->lon == -111.8);
  CHECK(back.draft.description == s.draft.description);
  CHECK(back.draft.media_urls == s.draft.media_urls);
  CHECK(back.draft.answers == s.draft.answers);
  CHECK(back.expecting == s.expecting);
  CHECK(back.asking_question == s.asking_question);
  CHECK(back.choices == s.choices);
  CHECK(back.choice_kind == s.choice_kind);
  CHECK(back.misses == 1);
  CHECK(back.opted_out);
  CHECK(back.last_activity == s.last_activity);
  CHECK(back.handoff_at == s.handoff_at);
  CHECK(back.recent_request == s.recent_request);
  CHECK(back.pending_note == s.pending_note);
}

TEST_CASE("missing, unknown and mistyped fields take their defaults", "[conversation]") {
  const auto s = conversation_from_json(
      R"({"stage":"confirming","future_field":[1,2],"misses":"two","language":"fr",)"
      R"("draft":{"category":"pothole","answers":{"size":3}}})");
  CHECK(s.stage == dialog_stage::confirming);
  CHECK(s.misses == 0);
  CHECK(s.language == nlp::language::en);
  CHECK(s.draft.category == "pothole");
  CHECK(s.draft.answers.empty());
  CHECK(conversation_from_json("").stage == dialog_stage::idle);
  CHECK(conversation_from_json("not json").stage == dialog_stage::idle);
  CHECK(conversation_from_json("[]").stage == dialog_stage::idle);
}

}  // namespace civicline::core
