#include "channels/open311_format.hpp"

#include <catch2/catch.hpp>

using namespace civicline::channels;
using nlohmann::ordered_json;

TEST_CASE("split_open311_format reads the .json/.xml suffix") {
  CHECK(split_open311_format("pothole.json") ==
        std::pair<std::string, open311_format>{"pothole", open311_format::json});
  CHECK(split_open311_format("311-000001.xml") ==
        std::pair<std::string, open311_format>{"311-000001", open311_format::xml});
  CHECK_FALSE(split_open311_format("pothole"));
  CHECK_FALSE(split_open311_format("pothole.csv"));
  CHECK_FALSE(split_open311_format(".json"));
}

TEST_CASE("a list is a bare JSON array, or XML with the declaration, root and item names") {
  const ordered_json items = ordered_json::array(
      {{{"service_code", "pothole"}, {"metadata", true}, {"keywords", nullptr}, {"lat", 33.5}}});
  CHECK(render_open311_list(items, "services", "service", open311_format::json) ==
        R"([{"service_code":"pothole","metadata":true,"keywords":null,"lat":33.5}])");
  CHECK(render_open311_list(items, "services", "service", open311_format::xml) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><services><service><service_code>pothole</"
        "service_code><metadata>true</metadata><keywords></keywords><lat>33.5</lat></service></"
        "services>");
  CHECK(render_open311_list(ordered_json::array(), "services", "service", open311_format::json) ==
        "[]");
}

TEST_CASE("nested arrays become elements named by the key's singular") {
  const ordered_json definition = {
      {"service_code", "pothole"},
      {"attributes", {{{"code", "size"}, {"values", {{{"key", "s"}, {"name", "Small"}}}}}}}};
  CHECK(render_open311_object(definition, "service_definition", open311_format::xml) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><service_definition><service_code>pothole</"
        "service_code><attributes><attribute><code>size</code><values><value><key>s</"
        "key><name>Small</name></value></values></attribute></attributes></service_definition>");
}

TEST_CASE("text is escaped for XML and control characters are dropped") {
  const ordered_json items = ordered_json::array({{{"description", "a<b & \"c\" 'd'>\x01"}}});
  CHECK(render_open311_list(items, "r", "i", open311_format::xml) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><r><i><description>a&lt;b &amp; &quot;c&quot; "
        "&apos;d&apos;&gt;</description></i></r>");
}

TEST_CASE("errors use the spec's body in both formats") {
  CHECK(render_open311_error(404, "No such service.", open311_format::json) ==
        R"([{"code":404,"description":"No such service."}])");
  CHECK(render_open311_error(403, "Bad key.", open311_format::xml) ==
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><errors><error><code>403</code><description>Bad "
        "key.</description></error></errors>");
  CHECK(open311_content_type(open311_format::xml) == "text/xml; charset=utf-8");
}
