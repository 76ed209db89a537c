#include "channels/chat_transcript.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "channels/web_chat.hpp"

using namespace civicline::channels;

namespace {
std::vector<std::string> values(const std::vector<quick_reply>& replies) {
  std::vector<std::string> out;
  for (const auto& r : replies) {
    out.push_back(r.value + "=" + r.label);
  }
  return out;
}
}  // namespace

TEST_CASE("quick replies come from the menu's numbered choices, in English and Spanish") {
  CHECK(
      values(quick_replies("Reply 1 to report a problem, 2 to check on a report or 3 to talk "
                           "to a person. Para español, responda ESPAÑOL.")) ==
      std::vector<std::string>{"1=report a problem", "2=check on a report", "3=talk to a person"});
  CHECK(values(quick_replies("Responda 1 para el lugar, 2 para el tipo de problema, 3 para la "
                             "descripción o 4 para borrar el reporte.")) ==
        std::vector<std::string>{"1=el lugar", "2=el tipo de problema", "3=la descripción",
                                 "4=borrar el reporte"});
}

TEST_CASE("quick replies read category lists, report lists and yes/no questions") {
  CHECK(values(quick_replies("Which fits best? Reply 1 for Pothole, 2 for Sidewalk damage.")) ==
        std::vector<std::string>{"1=Pothole", "2=Sidewalk damage"});
  CHECK(values(quick_replies("Which one? 1) 311-000001 Pothole, received. 2) 311-000002 "
                             "Graffiti, in progress. Reply with the number.")) ==
        std::vector<std::string>{"1=311-000001 Pothole", "2=311-000002 Graffiti"});
  CHECK(values(quick_replies("Pothole at 55 N Center St: deep. Reply YES to send it or NO to "
                             "change it.")) ==
        std::vector<std::string>{"YES=send it", "NO=change it"});
}

TEST_CASE("quick replies ignore numbers that are not choices") {
  CHECK(quick_replies("Please reply with a number from 1 to 5.").empty());
  CHECK(quick_replies("Thanks! Your report number is 311-000123. Pothole reports are usually "
                      "handled within 3 days.")
            .empty());
}

TEST_CASE("tracking ids are found whole, once each") {
  CHECK(tracking_ids_in("311-000123 and 311-000124, again 311-000123.", "311-", 6) ==
        std::vector<std::string>{"311-000123", "311-000124"});
  CHECK(tracking_ids_in("311-0001234 is too long, 311-00012 too short", "311-", 6).empty());
  CHECK(tracking_ids_in("at the end 311-000001", "311-", 6) ==
        std::vector<std::string>{"311-000001"});
}

TEST_CASE("the transcript JSON carries ids, sides, buttons, tracking ids and the cursor") {
  const std::vector<civicline::storage::chat_line> lines{
      {7, "in", "pothole <b>here</b>", std::nullopt, "2026-11-28T10:00:00.000Z"},
      {9, "out", "Update on 311-000004 (Pothole): in progress.", "311-000004",
       "2026-11-28T10:00:01.000Z"}};
  const auto out = nlohmann::json::parse(render_chat_lines(lines, 3, {}));
  CHECK(out["cursor"] == 9);
  REQUIRE(out["messages"].size() == 2);
  CHECK(out["messages"][0]["from"] == "visitor");
  CHECK(out["messages"][0]["text"] == "pothole <b>here</b>");  // text, for textContent
  CHECK(out["messages"][1]["from"] == "city");
  CHECK(out["messages"][1]["tracking_ids"] == nlohmann::json{"311-000004"});
  CHECK(nlohmann::json::parse(render_chat_lines({}, 3, {}))["cursor"] == 3);
}

TEST_CASE("the chat message takes a language from the widget's switch") {
  const auto es = parse_chat_message(R"({"text": "hola", "lang": "es"})");
  REQUIRE(std::holds_alternative<chat_message>(es));
  CHECK(std::get<chat_message>(es).language == civicline::nlp::language::es);
  const auto automatic = parse_chat_message(R"({"text": "hola", "lang": "auto"})");
  REQUIRE(std::holds_alternative<chat_message>(automatic));
  CHECK_FALSE(std::get<chat_message>(automatic).language.has_value());
  const auto klingon = parse_chat_message(R"({"text": "nuqneH", "lang": "tlh"})");
  REQUIRE(std::holds_alternative<chat_input_error>(klingon));
  CHECK(std::get<chat_input_error>(klingon).status == 422);
}
