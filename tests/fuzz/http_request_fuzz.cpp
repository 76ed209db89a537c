// The HTTP request path up to the router: Boost.Beast's request parser with the server's
// header and body limits (server/http/http_server.cpp reads requests the same way), then the
// request target read as an origin-form URL as the server does before routing. Properties:
// never crashes or reads past the input, and a parsed request never exceeds the limits.

#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include "tests/fuzz/fuzz_support.hpp"

namespace http = boost::beast::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::uint32_t header_limit = 16 * 1024;  // the defaults of http.max_*_bytes
  constexpr std::uint64_t body_limit = 1024 * 1024;
  http::request_parser<http::string_body> parser;
  parser.header_limit(header_limit);
  parser.body_limit(body_limit);
  parser.eager(true);
  boost::beast::error_code ec;
  boost::asio::const_buffer rest(data, size);
  while (rest.size() > 0 && !parser.is_done()) {
    const auto used = parser.put(rest, ec);
    if (ec == http::error::need_more) {
      // The input ends inside a header or a chunk: the server would wait for more bytes (and
      // time out). Beast must never be called again without new bytes after need_more (its
      // chunk parser asserts so; regressions/http_request/ keeps the input that showed it).
      break;
    }
    if (ec) {
      return 0;  // the server answers 400, 413 or 431 and closes
    }
    rest += used;
  }
  if (!parser.is_header_done()) {
    return 0;
  }
  const auto& message = parser.get();
  CIVICLINE_FUZZ_CHECK(message.body().size() <= body_limit);
  std::size_t header_bytes = 0;
  for (const auto& field : message) {
    header_bytes += field.name_string().size() + field.value().size();
  }
  CIVICLINE_FUZZ_CHECK(header_bytes <= header_limit);
  if (auto target = boost::urls::parse_origin_form(message.target())) {
    (void)target->encoded_path();
    (void)target->encoded_query();
    for (const auto segment : target->segments()) {
      (void)segment;
    }
  }
  return 0;
}
