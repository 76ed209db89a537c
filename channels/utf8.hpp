#pragma once
// Code-point reading for the channel formats that care about characters rather than bytes
// (XML's allowed characters, the GSM alphabet, Twilio's JavaScript sort order).

#include <cstddef>
#include <string>
#include <string_view>

namespace civicline::channels {

/// Stands in for bytes that are not valid UTF-8.
inline constexpr char32_t replacement_character = 0xFFFD;

/// Reads the code point at `pos` and advances `pos` past it. Malformed or overlong sequences,
/// surrogates and values above U+10FFFF read as U+FFFD and consume one byte, so the caller
/// always makes progress.
char32_t next_code_point(std::string_view text, std::size_t& pos);

/// Appends the UTF-8 encoding of `cp` (which must be a Unicode scalar value).
void append_utf8(std::string& out, char32_t cp);

}  // namespace civicline::channels
