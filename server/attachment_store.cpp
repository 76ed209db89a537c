#include "server/attachment_store.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>

#include "channels/web_chat.hpp"
#include "core/clock_text.hpp"
#include "core/photo_type.hpp"
#include "server/photo_thumbnail.hpp"
#include "server/storage_await.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

constexpr std::string_view id_prefix = "att_";
constexpr std::size_t id_random_bytes = 16;
constexpr std::string_view staff_path = "/api/v1/attachments/";

std::string new_attachment_id() {
  unsigned char bytes[id_random_bytes];
  randombytes_buf(bytes, sizeof bytes);
  char hex[id_random_bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string(id_prefix) + hex;
}

/// Writes `bytes` to `path` durably: a temporary file, fsync, then rename, so a crash never
/// leaves a half photo under the real name.
void write_file(const std::filesystem::path& path, std::string_view bytes) {
  const auto temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot create " + temporary + ": " + std::strerror(errno));
  }
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      const std::string error = std::strerror(errno);
      ::close(fd);
      throw std::runtime_error("cannot write " + temporary + ": " + error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    throw std::runtime_error("cannot sync " + temporary + ": " + std::strerror(errno));
  }
  std::filesystem::rename(temporary, path);
}

}  // namespace

attachment_store::attachment_store(storage::database& db, const config::settings& settings)
    : db_(db),
      settings_(settings),
      directory_(std::filesystem::absolute(settings.storage.database).parent_path() /
                 "attachments") {}

boost::asio::awaitable<std::variant<saved_attachment, attachment_refusal>> attachment_store::save(
    std::string session_token, std::string body) {
  if (body.empty()) {
    co_return attachment_refusal{422, "unprocessable_entity", "The photo is empty."};
  }
  if (body.size() > settings_.attachments.max_bytes) {
    co_return attachment_refusal{413, "payload_too_large",
                                 photo_too_large_message(settings_.attachments.max_bytes)};
  }
  const auto type = core::sniff_photo_type(body);
  if (!type) {
    co_return attachment_refusal{415, "unsupported_media_type",
                                 "This file is not a photo we can take: send a JPEG, PNG or "
                                 "HEIC picture."};
  }
  std::optional<std::string> thumbnail;
  if (*type != core::photo_type::heic) {
    // Named, not a temporary in the co_await: with GCC 12 a capturing lambda there is freed twice.
    auto make = [&body, kind = *type]() -> boost::asio::awaitable<thumbnail_result> {
      co_return make_thumbnail(body, kind, thumbnail_max_side);
    };
    auto made =
        co_await boost::asio::co_spawn(thumbnails_, std::move(make), boost::asio::use_awaitable);
    if (made.jpeg.empty()) {
      co_return attachment_refusal{422, "unprocessable_entity", made.problem};
    }
    thumbnail = std::move(made.jpeg);
  }

  saved_attachment saved{new_attachment_id(), std::string(core::media_type_of(*type)), body.size(),
                         thumbnail.has_value()};
  std::filesystem::create_directories(directory_);
  auto record = std::make_shared<storage::attachment_record>();
  record->public_id = saved.public_id;
  record->media_type = saved.media_type;
  record->byte_size = static_cast<std::int64_t>(body.size());
  record->file_name = saved.public_id + "." + std::string(core::extension_of(*type));
  write_file(directory_ / record->file_name, body);
  if (thumbnail) {
    record->thumbnail_name = saved.public_id + ".thumb.jpg";
    write_file(directory_ / *record->thumbnail_name, *thumbnail);
  }
  const auto now = std::chrono::system_clock::now();
  record->created_at = core::to_iso8601(now);
  const std::string address = channels::chat_resident_address(session_token);
  const std::string language =
      settings_.city.languages.empty() ? "en" : settings_.city.languages.front();
  // A named job, not a temporary in the co_await: GCC 12 destroys those twice.
  storage::write_work work = [record, address, language](SQLite::Database& db) {
    const auto resident =
        storage::find_or_create_resident(db, "web_chat", address, language, record->created_at);
    record->resident_id = resident.id;
    record->id = storage::insert_attachment(db, *record);
  };
  co_await async_write(db_, std::move(work), boost::asio::use_awaitable);
  co_return saved;
}

std::variant<std::vector<std::string>, attachment_refusal> attachment_store::media_urls_for(
    std::string_view session_token, const std::vector<std::string>& public_ids) const {
  std::vector<std::string> urls;
  if (public_ids.empty()) {
    return urls;
  }
  const std::string address = channels::chat_resident_address(session_token);
  std::optional<attachment_refusal> refused;
  db_.read([&](SQLite::Database& db) {
    const auto resident = storage::find_resident_by_address(db, "web_chat", address);
    for (const auto& id : public_ids) {
      const auto found = is_attachment_id(id) ? storage::find_attachment(db, id) : std::nullopt;
      // Someone else's photo looks exactly like one that does not exist.
      if (!found || !resident || found->resident_id != resident->id) {
        refused = attachment_refusal{
            422, "unknown_attachment",
            "No photo you uploaded has the id \"" + id.substr(0, 40) + "\". Upload it again."};
        return;
      }
      const auto url = staff_url(id);
      if (std::find(urls.begin(), urls.end(), url) == urls.end()) {
        urls.push_back(url);
      }
    }
  });
  if (refused) {
    return *refused;
  }
  return urls;
}

std::optional<storage::attachment_record> attachment_store::find(std::string_view public_id) const {
  if (!is_attachment_id(public_id)) {
    return std::nullopt;
  }
  std::optional<storage::attachment_record> found;
  db_.read([&](SQLite::Database& db) { found = storage::find_attachment(db, public_id); });
  return found;
}

std::optional<std::string> attachment_store::read_file(const std::string& file_name) const {
  std::ifstream in(directory_ / file_name, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string attachment_store::staff_url(std::string_view public_id) const {
  return settings_.server.public_base_url + std::string(staff_path) + std::string(public_id);
}

std::optional<std::string> attachment_store::id_in_url(std::string_view url) {
  const auto at = url.rfind(staff_path);
  if (at == std::string_view::npos) {
    return std::nullopt;
  }
  const auto id = url.substr(at + staff_path.size());
  return is_attachment_id(id) ? std::optional<std::string>(id) : std::nullopt;
}

bool attachment_store::is_attachment_id(std::string_view text) {
  return text.size() == id_prefix.size() + id_random_bytes * 2 && text.starts_with(id_prefix) &&
         std::all_of(text.begin() + id_prefix.size(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string photo_too_large_message(std::size_t max_bytes) {
  const std::string limit = max_bytes >= (1 << 20) ? std::to_string(max_bytes >> 20) + " MB"
                                                   : std::to_string(max_bytes >> 10) + " KB";
  return "The photo is too large: the limit is " + limit + ". Send a smaller picture.";
}

}  // namespace civicline::server
