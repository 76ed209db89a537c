#pragma once
// The public status page of one request (/r/{tracking_id}): what a resident or a neighbour may
// see, in their language. The address is generalised to its block and staff's public notes are
// masked exactly as in the open-data export (core/open_data.hpp); no resident data is read at
// all (storage/status_page.hpp). Pure.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/settings.hpp"
#include "core/reply_templates.hpp"
#include "nlp/understanding.hpp"
#include "storage/status_page.hpp"

namespace civicline::core {

struct status_step {
  std::string at;
  std::string status;       ///< code: "in_progress"
  std::string status_text;  ///< words in the page's language: "in progress"
  std::string note;         ///< masked public note; "" when none
};

struct status_view {
  nlp::language lang = nlp::language::en;
  std::string tracking_id;
  std::string status;
  std::string status_text;
  std::string category;
  std::string category_name;
  std::string address;  ///< block level ("1200 block of Main St")
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> closed_at;
  std::string last_note;                    ///< the newest public note, masked; "" when none
  std::optional<std::string> duplicate_of;  ///< the original's tracking id
  std::vector<status_step> timeline;        ///< "new" at creation, then every status change
  std::vector<std::string> photos;  ///< public thumbnail paths ("/r/311-000001/photos/3.jpg")
};

/// The page's data from the stored request, with texts in `lang` from `templates`.
status_view make_status_view(const storage::public_request_record& request,
                             const config::settings& settings, const reply_templates& templates,
                             nlp::language lang);

/// The view as JSON (/r/{id}.json): codes and words, ISO times, null for what is unknown.
std::string status_view_json(const status_view& view, std::string_view base_url);

/// The path of a request's public page: "/r/311-000123".
std::string status_path(std::string_view tracking_id);

/// The link appended to resident replies: " https://city.example/r/311-000123", or "" when no
/// public URL is configured (a link to localhost would not help a resident).
std::string status_link(const config::settings& settings, std::string_view tracking_id);

/// True when `text` could be a tracking id (letters, digits and dashes, at most 32 bytes), so
/// nothing else reaches the database or the page.
bool plausible_tracking_id(std::string_view text);

/// The language for a page: `?lang=` when it names a configured one, otherwise the first
/// configured language that Accept-Language lists, otherwise the city's default.
nlp::language page_language(std::string_view lang_param, std::string_view accept_language,
                            const std::vector<nlp::language>& available);

}  // namespace civicline::core
