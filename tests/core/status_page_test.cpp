#include "core/status_page.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "test_support.hpp"

namespace civicline::core {
namespace {

storage::public_request_record sample_request() {
  storage::public_request_record r;
  r.id = 7;
  r.tracking_id = "311-000007";
  r.status = "resolved";
  r.category = "pothole";
  r.location_text = "1234 Main St";
  r.created_at = "2026-11-01T10:00:00.000Z";
  r.updated_at = "2026-11-03T09:00:00.000Z";
  r.closed_at = "2026-11-03T09:00:00.000Z";
  r.changes = {{"2026-11-02T08:00:00.000Z", "in_progress", "Crew on Tuesday."},
               {"2026-11-03T09:00:00.000Z", "resolved", "Call 602-555-0199 or a@b.org"}};
  return r;
}

TEST_CASE("the status view generalises the address and masks notes", "[status_page]") {
  const auto& city = testing::demo_city();
  const auto view =
      make_status_view(sample_request(), city.settings, city.templates, nlp::language::en);
  CHECK(view.address == "1200 block of Main St");
  CHECK(view.category_name == "Pothole");
  CHECK(view.status_text == "resolved");
  CHECK(view.last_note == "Call [phone] or [email]");
  REQUIRE(view.timeline.size() == 3);
  CHECK(view.timeline[0].status == "new");
  CHECK(view.timeline[0].at == "2026-11-01T10:00:00.000Z");
  CHECK(view.timeline[1].note == "Crew on Tuesday.");

  const auto es =
      make_status_view(sample_request(), city.settings, city.templates, nlp::language::es);
  CHECK(es.category_name == "Bache");
  CHECK(es.status_text == "resuelto");

  const auto json = nlohmann::json::parse(status_view_json(view, "https://311.example"));
  CHECK(json["url"] == "https://311.example/r/311-000007");
  CHECK(json["last_public_note"] == "Call [phone] or [email]");
  CHECK(json["duplicate_of"].is_null());
}

TEST_CASE("a duplicate names its original in words and in JSON", "[status_page]") {
  const auto& city = testing::demo_city();
  auto r = sample_request();
  r.status = "duplicate";
  r.duplicate_of = "311-000003";
  const auto view = make_status_view(r, city.settings, city.templates, nlp::language::en);
  CHECK(view.status_text == "merged into 311-000003");
  const auto json = nlohmann::json::parse(status_view_json(view, ""));
  CHECK(json["duplicate_of"]["url"] == "/r/311-000003");
}

TEST_CASE("status links appear only with a configured public URL", "[status_page]") {
  config::settings settings;
  settings.server.public_base_url = "http://localhost:8080";
  CHECK(status_link(settings, "311-000001").empty());
  settings.server.public_base_url = "https://311.city.gov";
  settings.server.public_base_url_configured = true;
  CHECK(status_link(settings, "311-000001") == " https://311.city.gov/r/311-000001");
}

TEST_CASE("only plausible tracking ids reach the database", "[status_page]") {
  CHECK(plausible_tracking_id("311-000123"));
  CHECK(plausible_tracking_id("abc"));
  CHECK_FALSE(plausible_tracking_id(""));
  CHECK_FALSE(plausible_tracking_id("../etc"));
  CHECK_FALSE(plausible_tracking_id("311 000123"));
  CHECK_FALSE(plausible_tracking_id(std::string(33, '1')));
}

TEST_CASE("the page language comes from ?lang=, then Accept-Language", "[status_page]") {
  const std::vector<nlp::language> both{nlp::language::en, nlp::language::es};
  CHECK(page_language("es", "en", both) == nlp::language::es);
  CHECK(page_language("fr", "es-MX,es;q=0.9", both) == nlp::language::es);
  CHECK(page_language("", "fr-FR, ES;q=0.5", both) == nlp::language::es);
  CHECK(page_language("", "fr", both) == nlp::language::en);
  CHECK(page_language("es", "", {nlp::language::en}) == nlp::language::en);
}

}  // namespace
}  // namespace civicline::core
