#include "channels/twiml.hpp"

#include <charconv>
#include <optional>

#include "channels/utf8.hpp"

namespace civicline::channels {
namespace {

bool allowed_in_xml(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void append_escaped(std::string& out, std::string_view text) {
  out.reserve(out.size() + text.size());
  for (std::size_t pos = 0; pos < text.size();) {
    // ASCII is nearly all of a reply: one byte, one character, no decoding needed.
    const char32_t cp = static_cast<unsigned char>(text[pos]) < 0x80
                            ? static_cast<char32_t>(text[pos++])
                            : next_code_point(text, pos);
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        if (cp < 0x80 && allowed_in_xml(cp)) {
          out += static_cast<char>(cp);
        } else if (allowed_in_xml(cp)) {
          append_utf8(out, cp);
        }
    }
  }
}

/// Decodes the entity that starts at text[pos] == '&'; advances pos past it when recognised.
std::optional<char32_t> read_entity(std::string_view text, std::size_t& pos) {
  const std::size_t semicolon = text.find(';', pos);
  if (semicolon == std::string_view::npos || semicolon - pos > 12) {
    return std::nullopt;
  }
  const std::string_view name = text.substr(pos + 1, semicolon - pos - 1);
  std::optional<char32_t> cp;
  if (name == "amp") {
    cp = '&';
  } else if (name == "lt") {
    cp = '<';
  } else if (name == "gt") {
    cp = '>';
  } else if (name == "quot") {
    cp = '"';
  } else if (name == "apos") {
    cp = '\'';
  } else if (name.size() > 1 && name[0] == '#') {
    const bool hex = name[1] == 'x' || name[1] == 'X';
    const std::string_view digits = name.substr(hex ? 2 : 1);
    std::uint32_t value = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), value, hex ? 16 : 10);
    if (error == std::errc() && end == digits.data() + digits.size() && !digits.empty() &&
        allowed_in_xml(value)) {
      cp = value;
    }
  }
  if (cp) {
    pos = semicolon + 1;
  }
  return cp;
}

/// The character data of `content` with markup removed and entities decoded.
std::string text_of(std::string_view content) {
  std::string out;
  for (std::size_t pos = 0; pos < content.size();) {
    if (content.substr(pos, 9) == "<![CDATA[") {
      const std::size_t end = content.find("]]>", pos + 9);
      const std::size_t stop = end == std::string_view::npos ? content.size() : end;
      out += content.substr(pos + 9, stop - pos - 9);
      pos = end == std::string_view::npos ? content.size() : end + 3;
    } else if (content[pos] == '<') {
      const std::size_t end = content.find('>', pos);
      pos = end == std::string_view::npos ? content.size() : end + 1;
    } else if (content[pos] == '&') {
      if (const auto cp = read_entity(content, pos)) {
        append_utf8(out, *cp);
      } else {
        out += content[pos++];
      }
    } else {
      out += content[pos++];
    }
  }
  return out;
}

bool is_name_end(char c) {
  return c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Finds the next start tag <name ...> or <name/> at or after pos. Returns the position just
/// after the tag and whether it closed itself.
struct tag_match {
  std::size_t start;
  std::size_t after;
  bool self_closing;
};
std::optional<tag_match> find_start_tag(std::string_view xml, std::string_view name,
                                        std::size_t pos) {
  while ((pos = xml.find('<', pos)) != std::string_view::npos) {
    if (xml.substr(pos, 4) == "<!--") {
      const std::size_t end = xml.find("-->", pos + 4);
      pos = end == std::string_view::npos ? xml.size() : end + 3;
      continue;
    }
    if (xml.substr(pos + 1, name.size()) == name && pos + 1 + name.size() < xml.size() &&
        is_name_end(xml[pos + 1 + name.size()])) {
      const std::size_t end = xml.find('>', pos);
      if (end == std::string_view::npos) {
        return std::nullopt;
      }
      return tag_match{pos, end + 1, xml[end - 1] == '/'};
    }
    ++pos;
  }
  return std::nullopt;
}

/// The content of the element whose start tag ends at `after`, up to its </name>.
std::string_view element_content(std::string_view xml, std::string_view name, std::size_t after) {
  const std::string close = "</" + std::string(name);
  const std::size_t end = xml.find(close, after);
  return xml.substr(after, end == std::string_view::npos ? std::string_view::npos : end - after);
}

}  // namespace

std::string escape_xml_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  append_escaped(out, text);
  return out;
}

std::string render_twiml(const std::vector<std::string>& messages) {
  std::string out = R"(<?xml version="1.0" encoding="UTF-8"?>)";
  if (messages.empty()) {
    return out + "<Response/>";
  }
  out += "<Response>";
  for (const auto& message : messages) {
    out += "<Message>";
    append_escaped(out, message);
    out += "</Message>";
  }
  return out + "</Response>";
}

std::vector<std::string> parse_twiml_messages(std::string_view xml) {
  std::vector<std::string> messages;
  std::size_t pos = 0;
  while (const auto tag = find_start_tag(xml, "Message", pos)) {
    if (tag->self_closing) {
      messages.emplace_back();
      pos = tag->after;
      continue;
    }
    const std::string_view content = element_content(xml, "Message", tag->after);
    if (const auto body = find_start_tag(content, "Body", 0)) {
      messages.push_back(body->self_closing
                             ? std::string()
                             : text_of(element_content(content, "Body", body->after)));
    } else {
      // Children such as <Media>url</Media> are not part of the text.
      std::string text;
      std::size_t at = 0;
      while (at < content.size()) {
        const auto media = find_start_tag(content, "Media", at);
        const std::size_t stop = media ? media->start : content.size();
        text += text_of(content.substr(at, stop - at));
        if (!media) {
          break;
        }
        const std::size_t close = content.find("</Media>", media->after);
        at = media->self_closing               ? media->after
             : close == std::string_view::npos ? content.size()
                                               : close + 8;
      }
      messages.push_back(std::move(text));
    }
    pos = tag->after + content.size();
  }
  return messages;
}

}  // namespace civicline::channels
