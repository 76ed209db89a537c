// The open-data export's publishing rules (core/open_data.hpp) and its CSV writer
// (core/csv.hpp): block-level addresses, rounded coordinates, masked contact details,
// RFC 4180 quoting and formula neutralisation.

#include "core/open_data.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/csv.hpp"

namespace core = civicline::core;

TEST_CASE("house numbers are generalised to their block", "[open_data]") {
  CHECK(core::block_address("1234 Main St") == "1200 block of Main St");
  CHECK(core::block_address("  55 N Center St ") == "0 block of N Center St");
  CHECK(core::block_address("12B Oak Ave") == "0 block of Oak Ave");
  CHECK(core::block_address("100 W Elm") == "100 block of W Elm");
  CHECK(core::block_address("Main St and 5th Ave") == "Main St and 5th Ave");
  CHECK(core::block_address("1234") == "1234");
  CHECK(core::block_address("") == "");
}

TEST_CASE("phone numbers and e-mail addresses are masked in published text", "[open_data]") {
  CHECK(core::mask_contact_details("call 555-123-4567 now") == "call [phone] now");
  CHECK(core::mask_contact_details("+1 (555) 123 4567") == "[phone]");
  CHECK(core::mask_contact_details("+15550001111.") == "[phone].");
  CHECK(core::mask_contact_details("mail ana.perez@example.org please") == "mail [email] please");
  CHECK(core::mask_contact_details("crew at 1200 block, bay 12") == "crew at 1200 block, bay 12");
  CHECK(core::mask_contact_details("a@b") == "a@b");
}

TEST_CASE("coordinates are rounded to three decimals", "[open_data]") {
  CHECK(core::rounded_coordinate(33.448376) == "33.448");
  CHECK(core::rounded_coordinate(-112.074036) == "-112.074");
  CHECK(core::rounded_coordinate(-0.0004) == "0.000");
  CHECK(core::rounded_coordinate(std::nullopt) == "");
}

TEST_CASE("an export row carries no resident data", "[open_data]") {
  civicline::config::settings settings;
  settings.city.languages = {"en"};
  civicline::config::category pothole;
  pothole.code = "pothole";
  pothole.name = {{"en", "Pothole"}};
  pothole.group = "Streets";
  settings.categories = {pothole};
  civicline::storage::export_record row;
  row.tracking_id = "311-000001";
  row.created_at = "2026-02-01T00:00:00.000Z";
  row.updated_at = "2026-02-02T00:00:00.000Z";
  row.status = "new";
  row.status_note = "Called the resident at 555 123 4567";
  row.category = "pothole";
  row.channel = "sms";
  row.location_text = "1234 Main St";
  row.lat = 33.448376;
  row.lon = -112.074036;
  const auto fields = core::export_fields(row, settings);
  CHECK(fields[5] == "Called the resident at [phone]");
  CHECK(fields[7] == "Pothole");
  CHECK(fields[9] == "1200 block of Main St");
  CHECK(fields[10] == "33.448");
  CHECK(fields[11] == "-112.074");
  CHECK(fields[12] == "Streets");
  const auto object = nlohmann::json::parse(core::export_json(row, settings));
  CHECK(object["closed_datetime"].is_null());
  CHECK(object["long"] == -112.074);
  CHECK(object.size() == core::export_columns.size());
}

TEST_CASE("CSV fields are quoted per RFC 4180 and formulas neutralised", "[csv]") {
  std::string out;
  const std::vector<std::string> row{"plain",    "a,b",  "say \"hi\"", "two\nlines", "=SUM(A1)",
                                     "-112.074", "@cmd", "+1",         "-x",         ""};
  core::append_csv_row(out, row);
  CHECK(out ==
        "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"'=SUM(A1)\",-112.074,\"'@cmd\",+1,"
        "\"'-x\",\r\n");
  CHECK(core::looks_like_formula("\tx"));
  CHECK(core::looks_like_formula("\r1"));
  CHECK_FALSE(core::looks_like_formula("-5"));
}

TEST_CASE("published descriptions lose contact details and the names residents sign with",
          "[open_data]") {
  CHECK(core::mask_personal_details("pothole on Main, this is Ana Ruiz, call 555-123-4567") ==
        "pothole on Main, this is [name], call [phone]");
  CHECK(core::mask_personal_details("My name is Mary Jo Smith Jones.") ==
        "My name is [name] Jones.");  // at most three words
  CHECK(core::mask_personal_details("I'm tired of this pothole") == "I'm tired of this pothole");
  CHECK(core::mask_personal_details("hay basura, me llamo Álvaro Núñez") ==
        "hay basura, me llamo [name]");
  CHECK(core::mask_personal_details("soy vecino, mail a@example.org") ==
        "soy vecino, mail [email]");
  CHECK(core::mask_personal_details("recall the truck") == "recall the truck");  // not "call"
  CHECK(core::mask_personal_details("") == "");
}

TEST_CASE("the description column exists only for a city that publishes it", "[open_data]") {
  civicline::config::settings settings;
  civicline::storage::export_record row;
  row.tracking_id = "311-000001";
  row.description = "dumped couch, call Bob Lee at 602-555-0100";
  CHECK(core::export_header(settings).size() == core::export_columns.size());
  CHECK(core::export_fields(row, settings).size() == core::export_columns.size());
  CHECK(core::export_json(row, settings).find("description") == std::string::npos);
  settings.public_data.export_descriptions = true;
  const auto header = core::export_header(settings);
  REQUIRE(header.size() == core::export_columns.size() + 1);
  CHECK(header.back() == "description");
  CHECK(core::export_fields(row, settings).back() == "dumped couch, call [name] at [phone]");
  const auto object = nlohmann::json::parse(core::export_json(row, settings));
  CHECK(object["description"] == "dumped couch, call [name] at [phone]");
}
