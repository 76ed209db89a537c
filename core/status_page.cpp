#include "core/status_page.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/open_data.hpp"

namespace civicline::core {
namespace {

std::string category_name(const config::settings& settings, std::string_view code,
                          nlp::language lang) {
  for (const auto& c : settings.categories) {
    if (c.code != code) {
      continue;
    }
    if (auto it = c.name.find(std::string(nlp::to_string(lang))); it != c.name.end()) {
      return it->second;
    }
    return c.name.empty() ? c.code : c.name.begin()->second;
  }
  return std::string(code);
}

std::string status_words(const reply_templates& templates, nlp::language lang,
                         std::string_view status, const std::optional<std::string>& original) {
  return templates.render(lang, "status_" + std::string(status),
                          {{"original", original.value_or("")}});
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

}  // namespace

status_view make_status_view(const storage::public_request_record& request,
                             const config::settings& settings, const reply_templates& templates,
                             nlp::language lang) {
  status_view view;
  view.lang = lang;
  view.tracking_id = request.tracking_id;
  view.status = request.status;
  view.duplicate_of = request.duplicate_of;
  view.status_text = status_words(templates, lang, request.status, request.duplicate_of);
  view.category = request.category;
  view.category_name = category_name(settings, request.category, lang);
  view.address = block_address(request.location_text);
  view.created_at = request.created_at;
  view.updated_at = request.updated_at;
  view.closed_at = request.closed_at;
  view.timeline.push_back(
      {request.created_at, "new", status_words(templates, lang, "new", std::nullopt), ""});
  for (const auto& change : request.changes) {
    const std::optional<std::string> original =
        change.status == "duplicate" ? request.duplicate_of : std::nullopt;
    status_step step{change.at, change.status,
                     status_words(templates, lang, change.status, original),
                     mask_contact_details(change.public_note)};
    if (!step.note.empty()) {
      view.last_note = step.note;
    }
    view.timeline.push_back(std::move(step));
  }
  return view;
}

std::string status_view_json(const status_view& view, std::string_view base_url) {
  nlohmann::ordered_json out;
  out["tracking_id"] = view.tracking_id;
  out["url"] = std::string(base_url) + status_path(view.tracking_id);
  out["language"] = std::string(nlp::to_string(view.lang));
  out["status"] = view.status;
  out["status_text"] = view.status_text;
  out["category"] = view.category;
  out["category_name"] = view.category_name;
  out["address"] = view.address;
  out["created_at"] = view.created_at;
  out["updated_at"] = view.updated_at;
  out["closed_at"] = view.closed_at ? nlohmann::ordered_json(*view.closed_at) : nullptr;
  out["last_public_note"] = view.last_note;
  if (view.duplicate_of) {
    out["duplicate_of"] = {{"tracking_id", *view.duplicate_of},
                           {"url", std::string(base_url) + status_path(*view.duplicate_of)}};
  } else {
    out["duplicate_of"] = nullptr;
  }
  auto timeline = nlohmann::ordered_json::array();
  for (const auto& step : view.timeline) {
    timeline.push_back({{"at", step.at},
                        {"status", step.status},
                        {"status_text", step.status_text},
                        {"note", step.note}});
  }
  out["timeline"] = std::move(timeline);
  auto photos = nlohmann::ordered_json::array();
  for (const auto& photo : view.photos) {
    photos.push_back(std::string(base_url) + photo);
  }
  out["photos"] = std::move(photos);
  return out.dump();
}

std::string status_path(std::string_view tracking_id) {
  return "/r/" + std::string(tracking_id);
}

std::string status_link(const config::settings& settings, std::string_view tracking_id) {
  if (!settings.server.public_base_url_configured || settings.server.public_base_url.empty()) {
    return "";
  }
  return " " + settings.server.public_base_url + status_path(tracking_id);
}

bool plausible_tracking_id(std::string_view text) {
  return !text.empty() && text.size() <= 32 && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-';
  });
}

nlp::language page_language(std::string_view lang_param, std::string_view accept_language,
                            const std::vector<nlp::language>& available) {
  const auto offered = [&](std::string_view code) -> std::optional<nlp::language> {
    auto lang = nlp::language_from_string(code);
    if (lang && std::find(available.begin(), available.end(), *lang) != available.end()) {
      return lang;
    }
    return std::nullopt;
  };
  if (auto chosen = offered(lang_param)) {
    return *chosen;
  }
  // "es-MX,es;q=0.9,en;q=0.8": the first listed that we have (q values are in order in practice).
  std::string_view rest = accept_language;
  while (!rest.empty()) {
    auto item = rest.substr(0, rest.find(','));
    rest.remove_prefix(std::min(rest.size(), item.size() + 1));
    while (item.starts_with(' ')) {
      item.remove_prefix(1);
    }
    item = item.substr(0, item.find_first_of(";-_ "));
    std::string code(item);
    std::transform(code.begin(), code.end(), code.begin(), lower);
    if (auto chosen = offered(code)) {
      return *chosen;
    }
  }
  return available.empty() ? nlp::language::en : available.front();
}

}  // namespace civicline::core
