// JSON request bodies: the web chat message (channels/web_chat.hpp) and the staff API's PATCH,
// merge and bulk bodies (server/routes/request_changes.hpp). Property: any bytes, including
// deep nesting, huge numbers and invalid UTF-8, give a value or an input error, never a crash.

#include "channels/web_chat.hpp"
#include "server/routes/request_changes.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace civicline;
  const auto body = fuzz::as_text(data, size);
  (void)channels::parse_chat_message(body);
  (void)server::parse_request_patch(body);
  (void)server::parse_merge_body(body);
  (void)server::parse_bulk_body(body);
  return 0;
}
