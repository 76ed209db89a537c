#include "server/routes/attachment_routes.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <nlohmann/json.hpp>

#include "channels/web_chat.hpp"
#include "server/auth/authenticate.hpp"
#include "server/routes/chat_session.hpp"
#include "storage/service_requests.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;

constexpr std::string_view upload_path = "/chat/api/attachments";
constexpr std::string_view thumbnail_suffix = ".jpg";

struct attachment_state {
  attachment_state(const app_context& app_in, attachment_store& store_in, bool secure)
      : app(app_in),
        store(store_in),
        authenticator(app_in.db, auth::auth_policy{}, app_in.now),
        secure_cookies(secure) {}
  const app_context& app;
  attachment_store& store;
  auth::authenticator authenticator;
  bool secure_cookies;
};

http_response refusal_response(const attachment_refusal& refusal) {
  auto response = error_response(refusal.status, refusal.code, refusal.message);
  response.headers.set("Cache-Control", "no-store");
  return response;
}

awaitable<http_response> upload(attachment_state& state, http_request& request) {
  // The declared type only has to claim a photo; what the photo is comes from its bytes.
  if (!has_content_type(request, "image/jpeg") && !has_content_type(request, "image/png") &&
      !has_content_type(request, "image/heic") && !has_content_type(request, "image/heif")) {
    co_return refusal_response({415, "unsupported_media_type",
                                "Send the photo itself as the body, with Content-Type "
                                "image/jpeg, image/png or image/heic."});
  }
  const auto origin = check_chat_origin(request, state.app.settings);
  if (origin == chat_origin::refused) {
    co_return chat_origin_refused();
  }
  auto token = chat_session_token(request, origin);
  const bool new_session = !token;
  if (new_session) {
    token = channels::new_chat_session_token();
  }
  // The call is made before the co_await: GCC 12 destroys temporaries in a co_await twice.
  auto saving = state.store.save(*token, std::move(request.body));
  auto outcome = co_await std::move(saving);
  if (const auto* refused = std::get_if<attachment_refusal>(&outcome)) {
    co_return refusal_response(*refused);
  }
  const auto& saved = std::get<saved_attachment>(outcome);
  nlohmann::json body = {{"id", saved.public_id},
                         {"media_type", saved.media_type},
                         {"bytes", saved.bytes},
                         {"public_thumbnail", saved.thumbnail}};
  auto response = json_response(201, body.dump());
  response.headers.set("Cache-Control", "no-store");
  if (new_session) {
    response.headers.set("Set-Cookie", chat_session_cookie(*token, state.secure_cookies));
    if (origin == chat_origin::allowed) {
      response.headers.set(std::string(chat_session_header), *token);
    }
  }
  add_chat_cors(response, request, origin);
  co_return response;
}

http_response not_found() {
  return error_response(404, "not_found", "No photo has this id.");
}

awaitable<http_response> original(attachment_state& state, http_request& request) {
  const auto who = state.authenticator.require(request, auth::permission::read_requests);
  if (const auto* refused = std::get_if<http_response>(&who)) {
    co_return *refused;
  }
  const auto found = state.store.find(request.path_params.at("id"));
  const auto bytes = found ? state.store.read_file(found->file_name) : std::nullopt;
  if (!bytes) {
    co_return not_found();
  }
  auto response = text_response(200, found->media_type, *bytes);
  response.headers.set("Cache-Control", "private, no-store");
  response.headers.set("Content-Disposition", "inline; filename=\"" + found->file_name + "\"");
  co_return response;
}

awaitable<http_response> thumbnail(attachment_state& state, http_request& request) {
  std::string_view file = request.path_params.at("photo");
  if (!file.ends_with(thumbnail_suffix)) {
    co_return not_found();
  }
  file.remove_suffix(thumbnail_suffix.size());
  const auto found = state.store.find(file);
  if (!found || !found->thumbnail_name) {
    co_return not_found();
  }
  // Only a photo that is on this request is public: an upload never attached to a report, or
  // attached to another one, is not reachable through this page.
  bool on_request = false;
  state.app.db.read([&](SQLite::Database& db) {
    std::string tracking_id(request.path_params.at("id"));
    if (const auto record = storage::find_request(db, tracking_id)) {
      const auto media = nlohmann::json::parse(record->media_urls_json, nullptr, false);
      if (media.is_array()) {
        for (const auto& url : media) {
          if (url.is_string() &&
              attachment_store::id_in_url(url.get<std::string>()) == found->public_id) {
            on_request = true;
          }
        }
      }
    }
  });
  const auto bytes = on_request ? state.store.read_file(*found->thumbnail_name) : std::nullopt;
  if (!bytes) {
    co_return not_found();
  }
  auto response = text_response(200, "image/jpeg", *bytes);
  response.headers.set("Cache-Control", "public, max-age=86400");
  co_return response;
}

}  // namespace

body_limit_rule attachment_body_limit(const config::attachment_settings& settings) {
  return {std::string(upload_path), settings.max_bytes,
          photo_too_large_message(settings.max_bytes)};
}

void add_attachment_routes(router& routes, const app_context& app, attachment_store& store,
                           bool secure_cookies) {
  auto state = std::make_shared<attachment_state>(app, store, secure_cookies);
  routes.add("POST", std::string(upload_path), route_access::open,
             [state](http_request& request) { return upload(*state, request); });
  routes.add("GET", "/api/v1/attachments/{id}", route_access::staff,
             [state](http_request& request) { return original(*state, request); });
  routes.add("GET", "/r/{id}/photos/{photo}", route_access::open,
             [state](http_request& request) { return thumbnail(*state, request); });
}

}  // namespace civicline::server
