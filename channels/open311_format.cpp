#include "channels/open311_format.hpp"

#include "channels/twiml.hpp"

namespace civicline::channels {

namespace {

using nlohmann::ordered_json;

constexpr std::string_view xml_declaration = "<?xml version=\"1.0\" encoding=\"utf-8\"?>";

std::string singular(std::string_view plural) {
  if (plural.size() > 1 && plural.back() == 's') {
    plural.remove_suffix(1);
  }
  return std::string(plural);
}

void append_element(std::string& out, std::string_view name, const ordered_json& value);

void append_children(std::string& out, const ordered_json& object) {
  for (const auto& [key, value] : object.items()) {
    append_element(out, key, value);
  }
}

void append_element(std::string& out, std::string_view name, const ordered_json& value) {
  out += '<';
  out += name;
  out += '>';
  if (value.is_object()) {
    append_children(out, value);
  } else if (value.is_array()) {
    const auto child = singular(name);
    for (const auto& entry : value) {
      append_element(out, child, entry);
    }
  } else if (value.is_string()) {
    out += escape_xml_text(value.get_ref<const std::string&>());
  } else if (!value.is_null()) {
    out += value.dump();  // numbers and booleans ("true"/"false") as the spec writes them
  }
  out += "</";
  out += name;
  out += '>';
}

}  // namespace

std::optional<std::pair<std::string, open311_format>> split_open311_format(
    std::string_view segment) {
  const auto dot = segment.rfind('.');
  if (dot == std::string_view::npos || dot == 0) {
    return std::nullopt;
  }
  const auto suffix = segment.substr(dot + 1);
  const auto name = std::string(segment.substr(0, dot));
  if (suffix == "json") {
    return std::pair{name, open311_format::json};
  }
  if (suffix == "xml") {
    return std::pair{name, open311_format::xml};
  }
  return std::nullopt;
}

std::string_view open311_content_type(open311_format format) {
  return format == open311_format::json ? "application/json; charset=utf-8"
                                        : "text/xml; charset=utf-8";
}

std::string render_open311_list(const ordered_json& items, std::string_view root,
                                std::string_view item, open311_format format) {
  if (format == open311_format::json) {
    return items.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  std::string out(xml_declaration);
  out += '<';
  out += root;
  out += '>';
  for (const auto& entry : items) {
    append_element(out, item, entry);
  }
  out += "</";
  out += root;
  out += '>';
  return out;
}

std::string render_open311_object(const ordered_json& object, std::string_view root,
                                  open311_format format) {
  if (format == open311_format::json) {
    return object.dump(-1, ' ', false, ordered_json::error_handler_t::replace);
  }
  std::string out(xml_declaration);
  append_element(out, root, object);
  return out;
}

std::string render_open311_error(int code, std::string_view description, open311_format format) {
  ordered_json error = {{"code", code}, {"description", std::string(description)}};
  return render_open311_list(ordered_json::array({error}), "errors", "error", format);
}

}  // namespace civicline::channels
