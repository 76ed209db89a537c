#pragma once
// Photos web-chat visitors upload: checked by their bytes, kept as files in an "attachments"
// directory next to the database under names made here (never one from the client), with a
// row per photo (storage/attachments.hpp) that says whose it is. A request refers to its
// photos by their staff URL (/api/v1/attachments/{id}) in media_urls_json, as it does to MMS
// media; the public sees only the re-encoded thumbnail (server/photo_thumbnail.hpp).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/settings.hpp"
#include "storage/attachments.hpp"
#include "storage/database.hpp"

namespace civicline::server {

/// The longer side of a public thumbnail, in pixels.
inline constexpr int thumbnail_max_side = 640;

/// Why an upload or a reference to one is refused: an HTTP status and words for the visitor.
struct attachment_refusal {
  int status = 422;
  std::string code;
  std::string message;
};

struct saved_attachment {
  std::string public_id;
  std::string media_type;
  std::size_t bytes = 0;
  bool thumbnail = false;
};

/// The words of a 413 for a photo over `max_bytes`, for the visitor to read in the chat.
std::string photo_too_large_message(std::size_t max_bytes);

class attachment_store {
 public:
  attachment_store(storage::database& db, const config::settings& settings);

  /// Checks and stores an uploaded photo for the visitor with `session_token`.
  boost::asio::awaitable<std::variant<saved_attachment, attachment_refusal>> save(
      std::string session_token, std::string body);

  /// The staff URLs of `public_ids` for a message, when every one was uploaded by this
  /// visitor; otherwise why not.
  std::variant<std::vector<std::string>, attachment_refusal> media_urls_for(
      std::string_view session_token, const std::vector<std::string>& public_ids) const;

  /// The stored photo's row, if any.
  std::optional<storage::attachment_record> find(std::string_view public_id) const;

  /// A file of the attachments directory (a name from a row, never from a request).
  std::optional<std::string> read_file(const std::string& file_name) const;

  /// The staff URL of an attachment: "{public_base_url}/api/v1/attachments/{id}".
  std::string staff_url(std::string_view public_id) const;

  /// The attachment id in a media URL that staff_url made; nullopt for other URLs (MMS).
  static std::optional<std::string> id_in_url(std::string_view url);

  /// True when `text` has the form of an attachment id ("att_" + 32 hex digits).
  static bool is_attachment_id(std::string_view text);

  const std::filesystem::path& directory() const { return directory_; }

 private:
  storage::database& db_;
  const config::settings& settings_;
  std::filesystem::path directory_;
  /// Thumbnails are made here, one at a time: decoding a big photo takes tens of milliseconds
  /// that no I/O thread should spend, and a burst of uploads then uses one core, not all.
  boost::asio::thread_pool thumbnails_{1};
};

}  // namespace civicline::server
