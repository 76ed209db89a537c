// The Open311 GET requests query (channels/open311_query.hpp): the query string parsed as a
// form, then read into dates, codes, status and paging. Properties: never crashes; an accepted
// query has a span of at most 90 days and a page size within the cap.

#include "channels/form_body.hpp"
#include "channels/open311_query.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace civicline;
  const auto text = fuzz::as_text(data, size);
  (void)channels::parse_w3c_datetime(text);
  (void)channels::split_comma_list(text);
  (void)channels::fixmystreet_status(text);
  const auto params = channels::parse_form_body(text);
  if (!params) {
    return 0;
  }
  const auto now =
      std::chrono::sys_days{std::chrono::year{2026} / 11 / 28} + std::chrono::hours(12);
  const auto parsed = channels::parse_requests_query(*params, now);
  if (const auto* query = std::get_if<channels::open311_requests_query>(&parsed)) {
    CIVICLINE_FUZZ_CHECK(query->ids.size() > 0 ||
                         query->end - query->start <= channels::max_request_span);
    CIVICLINE_FUZZ_CHECK(query->page_size >= 1 && query->page_size <= channels::max_page_size);
    CIVICLINE_FUZZ_CHECK(query->page >= 1 && query->page <= channels::max_page);
  }
  return 0;
}
