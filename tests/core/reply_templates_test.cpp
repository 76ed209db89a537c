#include "core/reply_templates.hpp"

#include <catch2/catch.hpp>
#include <iostream>
#include <set>

#include "test_support.hpp"

namespace civicline::core {
namespace {

// Typical values, as long as they get in practice, for measuring rendered replies.
const std::map<std::string, std::string> sample{
    {"program", "Demo City 311"},
    {"contact", "Call 311 or visit democity.gov/311."},
    {"tracking_id", "311-000123"},
    {"status_url", " https://311.democity.gov/r/311-000123"},
    {"category", "Pothole"},
    {"location", "55 N Center St"},
    {"description", "pretty deep, right in the bike lane"},
    {"sla", "3 days"},
    {"status", "in progress"},
    {"note", " Crew scheduled for Tuesday."},
    {"updated", "Mar 4"},
    {"list", "1 for Pothole, 2 for Sidewalk damage, 3 for something else"},
    {"when", "We're open now, so expect a reply soon."},
    {"prompt", "Is the water flooding the street?"},
    {"count", "3"},
    {"n", "2"},
    {"name", "Pothole"},
    {"minutes", "30"},
    {"time", "8 AM"},
    {"day", "Monday"},
    {"original", "311-000120"}};

}  // namespace

TEST_CASE("sms segments count GSM-7 septets or UTF-16 units", "[templates]") {
  CHECK(sms_segments("") == 0);
  CHECK(sms_segments(std::string(160, 'a')) == 1);
  CHECK(sms_segments(std::string(161, 'a')) == 2);
  CHECK(sms_segments(std::string(306, 'a')) == 2);
  CHECK(sms_segments(std::string(307, 'a')) == 3);
  // Extension characters take two septets.
  CHECK(sms_segments(std::string(80, '[')) == 1);
  CHECK(sms_segments(std::string(81, '[')) == 2);
  // é, ñ, ¿, ¡ are in the GSM basic set; á, í, ó, ú are not.
  CHECK(sms_segments("¿Señor? ¡Café!") == 1);
  std::string gsm_spanish;
  for (int i = 0; i < 160; ++i)
    gsm_spanish += "ñ";
  CHECK(sms_segments(gsm_spanish) == 1);
  std::string ucs2;
  for (int i = 0; i < 70; ++i)
    ucs2 += "á";
  CHECK(sms_segments(ucs2) == 1);
  CHECK(sms_segments(ucs2 + "a") == 2);
  // An emoji is two UTF-16 code units.
  std::string emoji;
  for (int i = 0; i < 35; ++i)
    emoji += "\xF0\x9F\x95\xB3";  // U+1F573
  CHECK(sms_segments(emoji) == 1);
  CHECK(sms_segments(emoji + "a") == 2);
  CHECK(sms_segments("\xFF\xFE") == 1);  // invalid bytes count, never crash
}

TEST_CASE("every template exists in both languages and renders", "[templates]") {
  const auto& templates = testing::demo_city().templates;
  std::map<nlp::language, std::set<std::string>> keys;
  for (const auto& [lang, key, text] : templates.all())
    keys[lang].insert(key);
  REQUIRE(keys.size() == 2);
  CHECK(keys[nlp::language::en] == keys[nlp::language::es]);
  CHECK(keys[nlp::language::en].size() == reply_templates::required_keys().size());
  for (const auto& [lang, key, text] : templates.all()) {
    INFO(nlp::to_string(lang) << "." << key);
    const std::string rendered = templates.render(lang, key, sample);
    CHECK_FALSE(rendered.empty());
    CHECK(rendered.find('{') == std::string::npos);
  }
  // Without a value, {tracking_id} stays for the inbox to fill after create_request.
  CHECK(templates.render(nlp::language::en, "created", {}).find("{tracking_id}") !=
        std::string::npos);
}

TEST_CASE("template segment counts", "[templates][segments]") {
  const auto& templates = testing::demo_city().templates;
  std::cout << "language key raw_chars raw_segments rendered_segments\n";
  for (const auto& [lang, key, text] : templates.all()) {
    const std::string rendered = templates.render(lang, key, sample);
    const int raw = sms_segments(text);
    const int shown = sms_segments(rendered);
    std::cout << nlp::to_string(lang) << " " << key << " " << text.size() << " " << raw << " "
              << shown << "\n";
    INFO(nlp::to_string(lang) << "." << key << ": " << rendered);
    // English fits one GSM-7 segment except the few replies that carry a list or a
    // second sentence; Spanish (á, í, ó, ú force UCS-2) stays within three.
    CHECK(shown <= (lang == nlp::language::en ? 2 : 3));
  }
}

TEST_CASE("a template file with a missing or unknown key is refused", "[templates]") {
  CHECK_THROWS_AS(reply_templates::compile({{"x.json", R"({"language":"en","replies":{}})"}}),
                  template_error);
  CHECK_THROWS_WITH(
      reply_templates::compile({{"x.json", R"({"language":"en","replies":{"greting":"hi"}})"}}),
      Catch::Contains("replies.greting: unknown key"));
  CHECK_THROWS_AS(reply_templates::compile({{"x.json", "not json"}}), template_error);
}

}  // namespace civicline::core
