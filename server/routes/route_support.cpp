#include "server/routes/route_support.hpp"

#include <charconv>

namespace civicline::server {

http_response private_json(int status, const nlohmann::json& body) {
  return private_json_response(status,
                               body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<std::int64_t> positive_id(std::string_view text) {
  std::int64_t id = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (error != std::errc{} || end != text.data() + text.size() || id <= 0) {
    return std::nullopt;
  }
  return id;
}

}  // namespace civicline::server
