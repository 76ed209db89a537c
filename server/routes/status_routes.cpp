#include "server/routes/status_routes.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "channels/form_body.hpp"
#include "core/status_page.hpp"
#include "server/status_page_html.hpp"
#include "storage/status_page.hpp"

namespace civicline::server {
namespace {

using boost::asio::awaitable;

struct status_request {
  std::string tracking_id;  ///< as asked (upper-cased); "" when it cannot be one
  bool json = false;
  nlp::language lang = nlp::language::en;
};

std::string query_value(const http_request& request, std::string_view name) {
  if (auto parsed = channels::parse_form_body(request.query)) {
    for (auto& [key, value] : *parsed) {
      if (key == name) {
        return value;
      }
    }
  }
  return "";
}

status_request read_request(const http_request& request, const core::reply_templates& templates) {
  status_request out;
  std::string_view id = request.path_params.at("id");
  if (id.ends_with(".json")) {
    out.json = true;
    id.remove_suffix(5);
  }
  if (core::plausible_tracking_id(id)) {
    out.tracking_id = std::string(id);
    // Tracking ids are stored upper case ("311-000123"); a typed "abc-000123" still finds it.
    std::transform(out.tracking_id.begin(), out.tracking_id.end(), out.tracking_id.begin(),
                   [](char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; });
  }
  out.lang = core::page_language(query_value(request, "lang"),
                                 request.headers.get("Accept-Language").value_or(""),
                                 templates.languages());
  return out;
}

http_response page(int status, std::string html) {
  auto response = text_response(status, "text/html; charset=utf-8", std::move(html));
  // Status changes must show at once; every visitor may still revalidate cheaply.
  response.headers.set("Cache-Control", "no-cache");
  response.headers.set("Vary", "Accept-Language");
  return response;
}

/// The public thumbnails of the request's photos, in the order they were sent.
std::vector<std::string> photo_paths(const storage::public_request_record& record,
                                     const attachment_store& attachments) {
  std::vector<std::string> paths;
  const auto media = nlohmann::json::parse(record.media_urls_json, nullptr, false);
  if (!media.is_array()) {
    return paths;
  }
  for (const auto& url : media) {
    const auto id =
        url.is_string() ? attachment_store::id_in_url(url.get<std::string>()) : std::nullopt;
    const auto found = id ? attachments.find(*id) : std::nullopt;
    if (found && found->thumbnail_name) {
      paths.push_back(core::status_path(record.tracking_id) + "/photos/" + *id + ".jpg");
    }
  }
  return paths;
}

awaitable<http_response> show(const app_context& app, const live_knowledge& knowledge,
                              const attachment_store& attachments, http_request& request) {
  const auto known = knowledge.current();
  const auto asked = read_request(request, *known.templates);
  std::optional<storage::public_request_record> record;
  if (!asked.tracking_id.empty()) {
    app.db.read(
        [&](SQLite::Database& db) { record = storage::public_request(db, asked.tracking_id); });
  }
  if (!record) {
    if (asked.json) {
      co_return error_response(404, "not_found",
                               "No report has this number. Tracking ids look like 311-000123.");
    }
    co_return page(404,
                   render_status_not_found(asked.lang, app.settings.city.name, asked.tracking_id));
  }
  auto view = core::make_status_view(*record, app.settings, *known.templates, asked.lang);
  view.photos = photo_paths(*record, attachments);
  if (asked.json) {
    auto response =
        json_response(200, core::status_view_json(view, app.settings.server.public_base_url));
    response.headers.set("Cache-Control", "no-cache");
    co_return response;
  }
  co_return page(200, render_status_page(view, app.settings.city.name));
}

}  // namespace

void add_status_routes(router& routes, const app_context& app, const live_knowledge& knowledge,
                       const attachment_store& attachments) {
  routes.add("GET", "/r/{id}", route_access::open,
             [&app, &knowledge, &attachments](http_request& request) {
               return show(app, knowledge, attachments, request);
             });
}

}  // namespace civicline::server
