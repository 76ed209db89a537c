#pragma once
// Small pieces the staff API's handlers share.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "server/http/message.hpp"

namespace civicline::server {

/// A JSON response that no shared cache may keep (resident data, partner secrets). Text that
/// is not valid UTF-8 is sent with U+FFFD instead of failing the response.
http_response private_json(int status, const nlohmann::json& body);

/// A path segment that is a positive decimal id ("42"), or nullopt.
std::optional<std::int64_t> positive_id(std::string_view text);

}  // namespace civicline::server
