#pragma once
// Shared by the fuzz targets: the input as text, and a way to split one input into parts
// (libFuzzer hands each target one byte string; a target that needs a URL and a body, say,
// cuts it at the first newline).

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

namespace civicline::fuzz {

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// {before, after} the first '\n'; {text, ""} without one.
inline std::pair<std::string_view, std::string_view> split_line(std::string_view text) {
  const auto newline = text.find('\n');
  if (newline == std::string_view::npos) {
    return {text, {}};
  }
  return {text.substr(0, newline), text.substr(newline + 1)};
}

/// Stops the fuzzer with a crash report when a property of the code under test fails: unlike
/// assert(), it also works in Release builds.
#define CIVICLINE_FUZZ_CHECK(condition) \
  do {                                  \
    if (!(condition)) {                 \
      __builtin_trap();                 \
    }                                   \
  } while (false)

}  // namespace civicline::fuzz
