#pragma once
// A guard run before any handler parses a JSON body: nlohmann builds one heap node per
// nesting level, so a megabyte of "[" would cost about 100 MB per request and a recursive
// walk (dump) of it would overflow the stack. No JSON the API takes nests deeper than a few
// levels, so the scan refuses deep bodies without allocating.

#include <cstddef>
#include <string_view>

namespace civicline::server {

/// True when `text`, read as JSON, opens more than `max_depth` arrays and objects inside
/// each other (brackets inside strings do not count). Stops at the first level too many.
bool json_nests_deeper_than(std::string_view text, std::size_t max_depth);

/// True for the media types a handler reads as JSON: application/json and any "+json".
bool is_json_media_type(std::string_view content_type);

}  // namespace civicline::server
