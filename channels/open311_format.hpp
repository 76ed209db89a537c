#pragma once
// Open311 GeoReport v2 bodies in both of the spec's formats. The routes build one
// nlohmann::ordered_json value per response; this file writes it as JSON (bare arrays, as
// the spec shows) or as XML (the same element names and order, with the declaration the spec
// requires). Pure.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace civicline::channels {

enum class open311_format : std::uint8_t { json, xml };

/// "pothole.json" -> {"pothole", json}; nullopt without a ".json"/".xml" suffix or a name.
std::optional<std::pair<std::string, open311_format>> split_open311_format(
    std::string_view segment);

/// "application/json; charset=utf-8" or "text/xml; charset=utf-8".
std::string_view open311_content_type(open311_format format);

/// An array (`items`) as JSON, or as XML `<root><item>...</item>...</root>`. Nested arrays
/// become elements named by their key with one child per entry named by the key's singular
/// ("attributes" -> "attribute", "notes" -> "note"); null becomes an empty element.
std::string render_open311_list(const nlohmann::ordered_json& items, std::string_view root,
                                std::string_view item, open311_format format);

/// One object (a service definition, discovery) as JSON, or as XML `<root>...</root>`.
std::string render_open311_object(const nlohmann::ordered_json& object, std::string_view root,
                                  open311_format format);

/// The spec's error body: `[{"code": 404, "description": "..."}]` or
/// `<errors><error><code>404</code><description>...</description></error></errors>`.
std::string render_open311_error(int code, std::string_view description, open311_format format);

}  // namespace civicline::channels
