#pragma once
// Writing JSON text directly, for the few documents written on every message (a resident's
// conversation state, log lines): building an nlohmann::json tree first costs an allocation
// per key and value, several times what the text itself costs.

#include <cstdint>
#include <string>
#include <string_view>

namespace civicline::core {

/// Appends `text` as a JSON string (quoted and escaped as nlohmann::json's dump does). Bytes
/// that are not UTF-8 become U+FFFD, so the result is always valid JSON.
void append_json_string(std::string& out, std::string_view text);

/// Appends a number in its shortest round-trip form ("33.4152", "1.0"); null when not finite.
void append_json_number(std::string& out, double value);

void append_json_number(std::string& out, std::int64_t value);

}  // namespace civicline::core
