#include "channels/web_chat.hpp"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

namespace civicline::channels {
namespace {

using nlohmann::json;

constexpr std::size_t session_token_bytes = 32;
constexpr std::size_t session_token_chars = 43;  // base64url of 32 bytes, no padding

std::optional<double> coordinate(const json& body, const char* key, double limit) {
  if (!body.contains(key) || body[key].is_null()) {
    return std::nullopt;
  }
  if (!body[key].is_number()) {
    return std::nan("");
  }
  const double value = body[key].get<double>();
  return std::isfinite(value) && std::abs(value) <= limit ? std::optional(value) : std::nan("");
}

}  // namespace

std::variant<chat_message, chat_input_error> parse_chat_message(std::string_view body) {
  const auto parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return chat_input_error{400, "The body is not valid JSON."};
  }
  if (!parsed.is_object() || !parsed.contains("text") || !parsed["text"].is_string()) {
    return chat_input_error{422, "Send {\"text\": \"your message\"}."};
  }
  chat_message message;
  message.text = parsed["text"].get<std::string>();
  if (message.text.size() > max_chat_text_bytes) {
    return chat_input_error{422, "The message is too long; keep it under 16,000 characters."};
  }
  message.lat = coordinate(parsed, "lat", 90);
  message.lon = coordinate(parsed, "long", 180);
  if ((message.lat && std::isnan(*message.lat)) || (message.lon && std::isnan(*message.lon)) ||
      message.lat.has_value() != message.lon.has_value()) {
    return chat_input_error{422, "Send both lat (-90..90) and long (-180..180), or neither."};
  }
  if (parsed.contains("lang") && !parsed["lang"].is_null()) {
    const auto* lang = parsed["lang"].get_ptr<const json::string_t*>();
    if (lang == nullptr || (*lang != "auto" && !nlp::language_from_string(*lang))) {
      return chat_input_error{422, "lang is \"en\", \"es\" or \"auto\"."};
    }
    message.language = nlp::language_from_string(*lang);
  }
  if (parsed.contains("attachments") && !parsed["attachments"].is_null()) {
    const auto& ids = parsed["attachments"];
    if (!ids.is_array() || ids.size() > max_chat_attachments ||
        !std::ranges::all_of(ids, [](const json& id) { return id.is_string(); })) {
      return chat_input_error{422, "Send \"attachments\" as a list of at most " +
                                       std::to_string(max_chat_attachments) + " photo ids."};
    }
    for (const auto& id : ids) {
      message.attachments.push_back(id.get<std::string>());
    }
  }
  return message;
}

std::string chat_rate_limited_text(std::optional<nlp::language> language) {
  if (language == nlp::language::es) {
    return "Está enviando mensajes más rápido de lo que podemos contestar. Espere un minuto y "
           "vuelva a escribir.";
  }
  return "You're sending messages faster than we can answer. Please wait a minute, then try "
         "again.";
}

std::string render_chat_reply(const core::turn_result& turn) {
  json replies = json::array();
  for (const auto& text : turn.replies) {
    replies.push_back({{"text", text}});
  }
  json out = {{"replies", replies}};
  if (turn.created_tracking_id) {
    out["tracking_id"] = *turn.created_tracking_id;
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string new_chat_session_token() {
  unsigned char bytes[session_token_bytes];
  randombytes_buf(bytes, sizeof bytes);
  char text[sodium_base64_ENCODED_LEN(session_token_bytes,
                                      sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(text, sizeof text, bytes, sizeof bytes,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return text;
}

bool is_chat_session_token(std::string_view token) {
  return token.size() == session_token_chars && std::ranges::all_of(token, [](char c) {
           return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_';
         });
}

std::string chat_resident_address(std::string_view token) {
  unsigned char hash[crypto_generichash_BYTES];
  crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  char hex[crypto_generichash_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
  return std::string("session:") + hex;
}

}  // namespace civicline::channels
