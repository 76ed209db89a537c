#pragma once
// The outputs of the staff requests API: a request as a list item, and its detail with
// history, photos, followers count and (for staff) the reporter's conversation.

#include <string>
#include <vector>

#include "storage/open311.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {

/// What the detail view shows beyond the request itself.
struct request_detail_parts {
  std::vector<storage::history_record> history;
  std::size_t followers_count = 0;
  std::string reporter_channel;  ///< "" when the request has no reporter
  /// Contact details Open311 clients sent with reports of this request (PII, staff only).
  std::vector<storage::reporter_contact> contacts;
  /// The reporter's messages, oldest first; nullopt when the caller may not see them.
  std::optional<std::vector<storage::message_record>> transcript;
};

/// {"items": [...], "next_cursor": "..." or null, "total": N}. Items are request_item_json.
std::string render_request_page(const std::vector<storage::request_record>& items,
                                const std::optional<std::string>& next_cursor, std::int64_t total,
                                std::string_view now);

/// The detail: the list item's fields plus attributes, photos, history, followers_count,
/// reporter_channel, contacts and (when given) transcript.
std::string render_request_detail(const storage::request_record& request,
                                  const request_detail_parts& parts, std::string_view now);

}  // namespace civicline::server
