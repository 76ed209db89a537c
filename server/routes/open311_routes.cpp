#include "server/routes/open311_routes.hpp"

#include <algorithm>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <memory>

#include "channels/form_body.hpp"
#include "channels/open311_format.hpp"
#include "channels/open311_query.hpp"
#include "core/clock_text.hpp"
#include "core/duplicates.hpp"
#include "core/open_data.hpp"
#include "core/requests.hpp"
#include "server/auth/authenticate.hpp"
#include "server/auth/credentials.hpp"
#include "server/logging.hpp"
#include "server/storage_await.hpp"
#include "storage/open311.hpp"

namespace civicline::server {

namespace {

using boost::asio::awaitable;
using boost::asio::use_awaitable;
using channels::open311_format;
using nlohmann::ordered_json;

constexpr std::string_view prefix = "/open311/v2/";
/// When this implementation of the spec last changed (discovery's changeset).
constexpr std::string_view changeset = "2026-11-28T00:00:00Z";
constexpr std::size_t max_description_chars = 4000;
constexpr std::size_t max_updates = 1000;
/// The longest email, name, phone, device_id or account_id kept (longer ones are refused).
constexpr std::size_t max_contact_chars = 200;

struct open311_state {
  explicit open311_state(const app_context& app_in)
      : app(app_in), authenticator(app_in.db, auth::auth_policy{}, app_in.now) {}
  const app_context& app;
  auth::authenticator authenticator;
};
using state_ptr = std::shared_ptr<open311_state>;

http_response reply(open311_format format, int status, std::string body) {
  auto response =
      text_response(status, std::string(channels::open311_content_type(format)), std::move(body));
  response.headers.set("Access-Control-Allow-Origin", "*");
  return response;
}

http_response fail(open311_format format, int status, std::string_view description) {
  return reply(format, status, channels::render_open311_error(status, description, format));
}

http_response list(open311_format format, const ordered_json& items, std::string_view root,
                   std::string_view item) {
  return reply(format, 200, channels::render_open311_list(items, root, item, format));
}

/// The query's parameters, then (for a form POST) the body's.
std::optional<channels::form_params> parameters(const http_request& request) {
  auto params = channels::parse_form_body(request.query);
  if (!params) {
    return std::nullopt;
  }
  if (request.method == "POST" && !request.body.empty()) {
    auto body = channels::parse_form_body(request.body);
    if (!body) {
      return std::nullopt;
    }
    params->insert(params->end(), body->begin(), body->end());
  }
  return params;
}

std::string param(const channels::form_params& params, std::string_view name) {
  const auto* value = channels::form_value(params, name);
  return value ? *value : std::string();
}

std::string default_language(const config::settings& settings) {
  return settings.city.languages.empty() ? "en" : settings.city.languages.front();
}

std::string text_in(const config::localized_text& text, const std::string& language) {
  if (const auto found = text.find(language); found != text.end()) {
    return found->second;
  }
  return text.empty() ? std::string() : text.begin()->second;
}

ordered_json or_null(const std::string& text) {
  return text.empty() ? ordered_json(nullptr) : ordered_json(text);
}

std::size_t utf8_chars(std::string_view text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string team_name(const config::settings& settings, std::string_view code) {
  for (const auto& team : settings.teams) {
    if (team.code == code) {
      return team.name;
    }
  }
  return std::string(code);
}

// ---- discovery and services ----

ordered_json discovery_json(const config::settings& settings) {
  const auto base = settings.server.public_base_url + "/open311/v2";
  ordered_json endpoint = {{"specification", "http://wiki.open311.org/GeoReport_v2"},
                           {"url", base},
                           {"changeset", changeset},
                           {"type", "production"},
                           {"formats", {"text/xml", "application/json"}}};
  return {{"changeset", changeset},
          {"contact", settings.city.contact},
          {"key_service", "Ask " + settings.city.name +
                              " for a partner API key; it is sent as the api_key parameter."},
          {"endpoints", ordered_json::array({endpoint})}};
}

ordered_json services_json(const config::settings& settings) {
  const auto language = default_language(settings);
  auto out = ordered_json::array();
  for (const auto& category : settings.categories) {
    out.push_back({{"service_code", category.code},
                   {"service_name", text_in(category.name, language)},
                   {"description", or_null(text_in(category.description, language))},
                   {"metadata", !category.questions.empty()},
                   {"type", "realtime"},
                   {"keywords", nullptr},
                   {"group", or_null(category.group)}});
  }
  return out;
}

bool is_list(const config::category_question& question) {
  return question.datatype == "singlevaluelist" || question.datatype == "multivaluelist";
}

ordered_json definition_json(const config::category& category, const std::string& language) {
  auto attributes = ordered_json::array();
  int order = 0;
  for (const auto& question : category.questions) {
    ordered_json attribute = {{"variable", true},
                              {"code", question.code},
                              {"datatype", question.datatype},
                              {"required", question.required},
                              {"datatype_description", question.datatype == "singlevaluelist"
                                                           ? ordered_json("Choose one.")
                                                       : question.datatype == "multivaluelist"
                                                           ? ordered_json("Choose one or more.")
                                                           : ordered_json(nullptr)},
                              {"order", ++order},
                              {"description", text_in(question.prompt, language)}};
    if (is_list(question)) {
      auto values = ordered_json::array();
      for (const auto& [key, name] : question.values) {
        values.push_back({{"key", key}, {"name", text_in(name, language)}});
      }
      attribute["values"] = std::move(values);
    }
    attributes.push_back(std::move(attribute));
  }
  return {{"service_code", category.code}, {"attributes", std::move(attributes)}};
}

// ---- requests ----

/// One request as the spec's `request`; with `history`, the extensions too. Masks contact
/// details residents typed; reads nothing about who reported it.
ordered_json request_json(const storage::request_record& record, const std::string& address_id,
                          const config::settings& settings,
                          const std::vector<storage::history_record>* history) {
  const auto status = core::status_from_string(record.status);
  const bool open = status ? core::is_open(*status) : false;
  std::vector<std::string> media;
  if (const auto parsed = nlohmann::json::parse(record.media_urls_json, nullptr, false);
      parsed.is_array()) {
    for (const auto& url : parsed) {
      if (url.is_string()) {
        media.push_back(url.get<std::string>());
      }
    }
  }
  ordered_json out = {
      {"service_request_id", record.tracking_id},
      {"status", open ? "open" : "closed"},
      {"status_notes", record.status},
      {"service_name", core::category_name(settings, record.category, record.language)},
      {"service_code", record.category},
      {"description", or_null(core::mask_contact_details(record.description))},
      {"agency_responsible", record.team.empty() ? ordered_json(settings.city.name)
                                                 : ordered_json(team_name(settings, record.team))},
      {"service_notice", nullptr},
      {"requested_datetime", record.created_at},
      {"updated_datetime", record.updated_at},
      {"expected_datetime", or_null(record.due_at)},
      {"address", or_null(core::mask_contact_details(record.location_text))},
      // The client's own register id, returned as given (not resident text).
      {"address_id", or_null(address_id)},
      {"zipcode", nullptr},
      {"lat", record.lat ? ordered_json(*record.lat) : ordered_json(nullptr)},
      {"long", record.lon ? ordered_json(*record.lon) : ordered_json(nullptr)},
      {"media_url", media.empty() ? ordered_json(nullptr) : ordered_json(media.front())}};
  if (history != nullptr) {
    auto notes = ordered_json::array();
    for (const auto& entry : *history) {
      if (!entry.public_note.empty()) {
        notes.push_back({{"datetime", entry.at},
                         {"description", core::mask_contact_details(entry.public_note)},
                         {"status", entry.field == "status" ? entry.new_value : std::string()}});
      }
    }
    out["extended_attributes"] = {
        {"channel", record.channel},
        {"detailed_status", record.status},
        {"duplicate", record.duplicate_of.has_value()},
        {"parent_service_request_id",
         record.duplicate_of ? ordered_json(*record.duplicate_of) : ordered_json(nullptr)},
        {"notes", std::move(notes)}};
  }
  return out;
}

std::vector<std::string> status_names(bool open) {
  std::vector<std::string> out;
  for (auto status : {core::request_status::new_request, core::request_status::acknowledged,
                      core::request_status::in_progress, core::request_status::resolved,
                      core::request_status::closed, core::request_status::duplicate,
                      core::request_status::rejected, core::request_status::reopened}) {
    if (core::is_open(status) == open) {
      out.emplace_back(core::to_string(status));
    }
  }
  return out;
}

std::vector<storage::request_record> find_requests(SQLite::Database& db,
                                                   const channels::open311_requests_query& query) {
  std::vector<storage::request_record> rows;
  if (!query.ids.empty()) {
    for (const auto& id : query.ids) {
      if (auto found = storage::find_request(db, id)) {
        rows.push_back(std::move(*found));
      }
    }
    return rows;
  }
  storage::request_filter filter;
  if (query.open) {
    filter.statuses = status_names(*query.open);
  }
  filter.created_after = core::to_iso8601(query.start);
  filter.created_before = core::to_iso8601(query.end);
  filter.order = storage::request_order::created_desc;
  const auto wanted = static_cast<std::size_t>(query.page) * query.page_size;
  std::vector<std::optional<std::string>> codes;
  for (const auto& code : query.codes) {
    codes.emplace_back(code);
  }
  if (codes.empty()) {
    codes.emplace_back(std::nullopt);
  }
  for (const auto& code : codes) {
    filter.category = code;
    auto part = storage::list_requests(db, filter, wanted);
    rows.insert(rows.end(), std::make_move_iterator(part.begin()),
                std::make_move_iterator(part.end()));
  }
  // Several codes were read separately: one order (newest first) across them.
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.created_at != b.created_at ? a.created_at > b.created_at : a.id > b.id;
  });
  const auto skip = static_cast<std::size_t>(query.page - 1) * query.page_size;
  if (skip >= rows.size()) {
    return {};
  }
  rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(skip));
  if (rows.size() > static_cast<std::size_t>(query.page_size)) {
    rows.resize(static_cast<std::size_t>(query.page_size));
  }
  return rows;
}

ordered_json requests_json(SQLite::Database& db, const std::vector<storage::request_record>& rows,
                           const config::settings& settings, bool extensions) {
  auto out = ordered_json::array();
  for (const auto& row : rows) {
    const auto address_id = storage::address_id_of(db, row.id);
    if (extensions) {
      const auto history = storage::request_history(db, row.id);
      out.push_back(request_json(row, address_id, settings, &history));
    } else {
      out.push_back(request_json(row, address_id, settings, nullptr));
    }
  }
  return out;
}

// ---- the partner's key ----

/// The partner key in `api_key`, or the 403 the spec prescribes.
std::variant<auth::principal, http_response> partner(const open311_state& state,
                                                     const channels::form_params& params,
                                                     open311_format format) {
  const auto key = param(params, "api_key");
  if (key.empty()) {
    return fail(format, 403, "Send a partner API key as the api_key parameter.");
  }
  auto who = state.authenticator.identify_key(key);
  if (std::holds_alternative<http_response>(who)) {
    return fail(format, 403, "This api_key is unknown or revoked; ask the city for a partner key.");
  }
  const auto& caller = std::get<auth::principal>(who);
  if (!auth::allowed(caller, auth::permission::partner_api)) {
    return fail(format, 403, "This api_key is not a partner key; ask the city for a partner key.");
  }
  return caller;
}

/// A form POST's parameters and the partner key that sent it.
struct partner_post {
  channels::form_params params;
  auth::principal caller;
};

/// The POST's parameters once its `api_key` proved to be a partner's; the answer otherwise.
std::variant<partner_post, http_response> read_partner_post(const open311_state& state,
                                                            const http_request& request,
                                                            open311_format format) {
  auto params = parameters(request);
  if (!params) {
    return fail(format, 400, "Send the form URL-encoded (application/x-www-form-urlencoded).");
  }
  auto who = partner(state, *params, format);
  if (auto* refused = std::get_if<http_response>(&who)) {
    return std::move(*refused);
  }
  return partner_post{std::move(*params), std::get<auth::principal>(who)};
}

/// Checks the category's questions against the posted attributes; the answers to store, or
/// why they are refused.
std::variant<std::map<std::string, std::string>, std::string> check_attributes(
    const config::category& category, const channels::form_params& params) {
  const auto given = channels::form_attributes(params);
  std::map<std::string, std::string> answers;
  for (const auto& question : category.questions) {
    const auto found = given.find(question.code);
    if (found == given.end()) {
      if (question.required) {
        return "attribute[" + question.code + "] is required for " + category.code +
               " (see services/" + category.code + ").";
      }
      continue;
    }
    const auto& values = found->second;
    if (question.datatype != "multivaluelist" && values.size() > 1) {
      return "attribute[" + question.code + "] takes one value.";
    }
    if (is_list(question)) {
      for (const auto& value : values) {
        const bool known = std::any_of(question.values.begin(), question.values.end(),
                                       [&](const auto& entry) { return entry.first == value; });
        if (!known) {
          return "attribute[" + question.code + "] must be one of the keys listed in services/" +
                 category.code + ".";
        }
      }
    } else if (question.datatype == "number") {
      char* end = nullptr;
      std::strtod(values.front().c_str(), &end);
      if (end == values.front().c_str() || *end != '\0') {
        return "attribute[" + question.code + "] must be a number.";
      }
    } else if (question.datatype == "datetime" && !channels::parse_w3c_datetime(values.front())) {
      return "attribute[" + question.code + "] must be a W3C datetime with a zone.";
    }
    std::string joined;
    for (const auto& value : values) {
      joined += (joined.empty() ? "" : ",") + value;
    }
    answers[question.code] = joined;
  }
  return answers;
}

/// The contact details a client sent (email, first_name, last_name, phone, device_id,
/// account_id), or why they are refused.
std::variant<storage::reporter_contact, std::string> contact_details(
    const channels::form_params& params) {
  storage::reporter_contact contact;
  const std::pair<const char*, std::string*> fields[] = {
      {"email", &contact.email},         {"first_name", &contact.first_name},
      {"last_name", &contact.last_name}, {"phone", &contact.phone},
      {"device_id", &contact.device_id}, {"account_id", &contact.account_id}};
  for (const auto& [name, field] : fields) {
    *field = param(params, name);
    if (utf8_chars(*field) > max_contact_chars) {
      return std::string(name) + " may be at most " + std::to_string(max_contact_chars) +
             " characters.";
    }
  }
  return contact;
}

std::optional<double> parse_coordinate(const std::string& text, double limit) {
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !(value >= -limit && value <= limit)) {
    return std::nullopt;
  }
  return value;
}

// ---- handlers ----

/// 404 when the request names a jurisdiction_id other than the city's (config
/// city.open311_jurisdiction_id; when that is empty any is accepted).
std::optional<http_response> jurisdiction_refusal(const open311_state& state,
                                                  const http_request& request,
                                                  open311_format format) {
  const auto& ours = state.app.settings.city.open311_jurisdiction_id;
  const auto params = parameters(request);
  if (ours.empty() || !params) {
    return std::nullopt;
  }
  const auto given = param(*params, "jurisdiction_id");
  if (given.empty() || given == ours) {
    return std::nullopt;
  }
  return fail(format, 404, "Unknown jurisdiction_id; this server serves " + ours + ".");
}

awaitable<http_response> get_requests(state_ptr state, http_request& request,
                                      open311_format format) {
  const auto params = parameters(request);
  if (!params) {
    co_return fail(format, 400, "The query is not valid percent-encoding.");
  }
  auto parsed = channels::parse_requests_query(*params, state->app.now());
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    co_return fail(format, 400, *problem);
  }
  const auto& query = std::get<channels::open311_requests_query>(parsed);
  const auto items = state->app.db.read([&](SQLite::Database& db) {
    return requests_json(db, find_requests(db, query), state->app.settings, query.extensions);
  });
  co_return list(format, items, "service_requests", "request");
}

awaitable<http_response> get_request(state_ptr state, http_request& request) {
  const auto segment = channels::split_open311_format(request.path_params["id"]);
  if (!segment) {
    co_return fail(open311_format::json, 404, "Ask for requests/{id}.json or requests/{id}.xml.");
  }
  const auto& [id, format] = *segment;
  if (auto refused = jurisdiction_refusal(*state, request, format)) {
    co_return std::move(*refused);
  }
  const auto params = parameters(request);
  const bool extensions = params && param(*params, "extensions") == "true";
  const auto items = state->app.db.read([&](SQLite::Database& db) {
    std::vector<storage::request_record> rows;
    if (auto found = storage::find_request(db, id)) {
      rows.push_back(std::move(*found));
    }
    return requests_json(db, rows, state->app.settings, extensions);
  });
  if (items.empty()) {
    co_return fail(format, 404, "No service request has the id " + id.substr(0, 40) + ".");
  }
  co_return list(format, items, "service_requests", "request");
}

awaitable<http_response> get_token(state_ptr state, http_request& request) {
  const auto segment = channels::split_open311_format(request.path_params["token"]);
  if (!segment) {
    co_return fail(open311_format::json, 404, "Ask for tokens/{token}.json or .xml.");
  }
  const auto& [token, format] = *segment;
  if (auto refused = jurisdiction_refusal(*state, request, format)) {
    co_return std::move(*refused);
  }
  // Requests are created at once, so a token is the service_request_id itself.
  const auto found =
      state->app.db.read([&](SQLite::Database& db) { return storage::find_request(db, token); });
  if (!found) {
    co_return fail(format, 404, "No service request has the token " + token.substr(0, 40) + ".");
  }
  ordered_json item = {{"service_request_id", found->tracking_id}, {"token", token}};
  co_return list(format, ordered_json::array({item}), "service_requests", "request");
}

awaitable<http_response> get_service(state_ptr state, http_request& request) {
  const auto segment = channels::split_open311_format(request.path_params["code"]);
  if (!segment) {
    co_return fail(open311_format::json, 404, "Ask for services/{code}.json or .xml.");
  }
  const auto& [code, format] = *segment;
  if (auto refused = jurisdiction_refusal(*state, request, format)) {
    co_return std::move(*refused);
  }
  const auto* category = core::find_category(state->app.settings, code);
  if (category == nullptr) {
    co_return fail(format, 404, "No service has the code " + code.substr(0, 40) + ".");
  }
  co_return reply(format, 200,
                  channels::render_open311_object(
                      definition_json(*category, default_language(state->app.settings)),
                      "service_definition", format));
}

awaitable<http_response> post_request(state_ptr state, http_request& request,
                                      open311_format format) {
  auto posted = read_partner_post(*state, request, format);
  if (auto* refused = std::get_if<http_response>(&posted)) {
    co_return std::move(*refused);
  }
  const auto& [params, caller] = std::get<partner_post>(posted);
  const auto& settings = state->app.settings;
  const auto code = param(params, "service_code");
  if (code.empty()) {
    co_return fail(format, 400, "service_code is required (see services.json).");
  }
  const auto* category = core::find_category(settings, code);
  if (category == nullptr) {
    co_return fail(format, 404, "No service has the code " + code.substr(0, 40) + ".");
  }
  core::draft draft;
  draft.category = category->code;
  const auto lat_text = param(params, "lat");
  const auto lon_text = param(params, "long");
  const auto address = param(params, "address_string");
  const auto address_id = param(params, "address_id");
  core::location where;
  if (!lat_text.empty() || !lon_text.empty()) {
    where.lat = parse_coordinate(lat_text, 90);
    where.lon = parse_coordinate(lon_text, 180);
    if (!where.lat || !where.lon) {
      co_return fail(format, 400, "lat and long must both be given, in decimal degrees.");
    }
  }
  where.text = !address.empty() ? address : address_id;
  if (where.text.empty() && where.lat) {
    where.text = std::to_string(*where.lat) + ", " + std::to_string(*where.lon);
  }
  if (!where.text.empty()) {
    draft.location = where;
  } else if (category->location_required) {
    co_return fail(format, 400, "Give a location: lat and long, address_string or address_id.");
  }
  const auto description = param(params, "description");
  if (utf8_chars(description) > max_description_chars) {
    co_return fail(format, 400, "description may be at most 4000 characters.");
  }
  if (!description.empty()) {
    draft.description = description;
  }
  if (const auto media = param(params, "media_url"); !media.empty()) {
    if (!media.starts_with("https://") && !media.starts_with("http://")) {
      co_return fail(format, 400, "media_url must be an http(s) URL.");
    }
    draft.media_urls.push_back(media);
  }
  auto answers = check_attributes(*category, params);
  if (const auto* problem = std::get_if<std::string>(&answers)) {
    co_return fail(format, 400, *problem);
  }
  draft.answers = std::move(std::get<0>(answers));
  auto contact_or = contact_details(params);
  if (const auto* problem = std::get_if<std::string>(&contact_or)) {
    co_return fail(format, 400, *problem);
  }
  const auto& contact = std::get<storage::reporter_contact>(contact_or);
  // The reporter is an opaque resident: a device keeps its one (hashed) identity, other
  // reports get a fresh one. What the client sent about the person is kept apart, for staff.
  // A city that opts in makes a reporter with an international phone that number's SMS
  // resident, so status changes reach them by SMS like anyone who texted (STOP honoured).
  const auto device = param(params, "device_id");
  std::string resident_channel = "open311";
  auto resident_address =
      "open311:" + (device.empty() ? auth::random_token(16) : auth::token_digest(device));
  if (settings.city.open311_sms_updates) {
    if (auto phone = channels::international_phone(contact.phone)) {
      resident_channel = "sms";
      resident_address = std::move(*phone);
    }
  }
  const auto language = default_language(settings);
  const auto now = state->app.now();
  auto outcome = std::make_shared<core::report_outcome>();
  storage::write_work create = [&settings, draft, resident_channel, resident_address, language, now,
                                address_id, contact = storage::reporter_contact(contact),
                                outcome](SQLite::Database& db) mutable {
    const auto now_text = core::to_iso8601(now);
    const auto resident = storage::find_or_create_resident(db, resident_channel, resident_address,
                                                           language, now_text);
    // The chat dialog's rule: a report of an open problem follows it instead of repeating it.
    *outcome = core::report_or_follow(db, draft, core::channel::open311, language, resident.id,
                                      settings, now);
    if (!outcome->duplicate && !address_id.empty()) {
      storage::save_address_id(db, outcome->request.id, address_id);
    }
    if (!contact.empty()) {
      contact.request_id = outcome->request.id;
      contact.resident_id = resident.id;
      contact.created_at = now_text;
      storage::save_reporter_contact(db, contact);
    }
  };
  co_await async_write(state->app.db, std::move(create), use_awaitable);
  const auto& tracking_id = outcome->request.tracking_id;
  log_event(log_level::info,
            outcome->duplicate ? "open311_request_followed" : "open311_request_created",
            {{"tracking_id", tracking_id}, {"by", auth::actor_id(caller)}});
  const auto notice = outcome->duplicate
                          ? "Already reported as " + tracking_id + " (" +
                                std::string(core::to_string(outcome->request.status)) +
                                "); this report was added to it and follows its updates. " +
                                settings.city.contact
                          : "Received as " + tracking_id + "; " + settings.city.contact;
  ordered_json item = {{"service_request_id", tracking_id}, {"service_notice", notice}};
  co_return list(format, ordered_json::array({item}), "service_requests", "request");
}

awaitable<http_response> get_updates(state_ptr state, http_request& request,
                                     open311_format format) {
  const auto params = parameters(request);
  if (!params) {
    co_return fail(format, 400, "The query is not valid percent-encoding.");
  }
  // The same dates as GET requests: W3C with a zone, at most 90 days, the last 90 by default.
  channels::form_params dates;
  for (const char* name : {"start_date", "end_date"}) {
    if (const auto* value = channels::form_value(*params, name)) {
      dates.emplace_back(name, *value);
    }
  }
  auto parsed = channels::parse_requests_query(dates, state->app.now());
  if (const auto* problem = std::get_if<std::string>(&parsed)) {
    co_return fail(format, 400, *problem);
  }
  const auto& query = std::get<channels::open311_requests_query>(parsed);
  const auto rows = state->app.db.read([&](SQLite::Database& db) {
    return storage::public_updates(db, core::to_iso8601(query.start), core::to_iso8601(query.end),
                                   max_updates);
  });
  auto items = ordered_json::array();
  for (const auto& row : rows) {
    items.push_back({{"update_id", std::to_string(row.id)},
                     {"service_request_id", row.tracking_id},
                     {"status", channels::fixmystreet_status(row.status)},
                     {"updated_datetime", row.at},
                     {"description", core::mask_contact_details(row.public_note)},
                     {"media_url", ""}});
  }
  co_return list(format, items, "service_requests_updates", "request_update");
}

awaitable<http_response> post_update(state_ptr state, http_request& request,
                                     open311_format format) {
  auto posted = read_partner_post(*state, request, format);
  if (auto* refused = std::get_if<http_response>(&posted)) {
    co_return std::move(*refused);
  }
  const auto& [params, caller] = std::get<partner_post>(posted);
  const auto id = param(params, "service_request_id");
  const auto description = param(params, "description");
  if (id.empty() || description.empty()) {
    co_return fail(format, 400, "service_request_id and description are required.");
  }
  if (utf8_chars(description) > max_description_chars) {
    co_return fail(format, 400, "description may be at most 4000 characters.");
  }
  const auto found =
      state->app.db.read([&](SQLite::Database& db) { return storage::find_request(db, id); });
  if (!found) {
    co_return fail(format, 404, "No service request has the id " + id.substr(0, 40) + ".");
  }
  const core::actor by{core::actor::kind::partner, auth::actor_id(caller)};
  const auto now = state->app.now();
  auto update_id = std::make_shared<std::int64_t>(0);
  storage::write_work add = [record = *found, by, description, now,
                             update_id](SQLite::Database& db) {
    const auto current = storage::find_request_by_id(db, record.id);
    core::add_request_note(db, core::to_domain(current ? *current : record), by, description, "",
                           now);
    // The note is the request's newest history entry.
    *update_id = storage::request_history(db, record.id).back().id;
  };
  co_await async_write(state->app.db, std::move(add), use_awaitable);
  ordered_json item = {{"update_id", std::to_string(*update_id)}};
  co_return list(format, ordered_json::array({item}), "service_request_updates", "request_update");
}

template <class Handler>
awaitable<http_response> in_jurisdiction(state_ptr state, http_request& request,
                                         open311_format format, Handler handler) {
  if (auto refused = jurisdiction_refusal(*state, request, format)) {
    co_return std::move(*refused);
  }
  // Named, not a temporary in the co_await (GCC 12, see docs/ARCHITECTURE.md).
  auto answer = handler(std::move(state), request, format);
  co_return co_await std::move(answer);
}

/// Registers `path` + ".json" and ".xml" for `method`, the handler getting the format.
template <class Handler>
void add_both(router& routes, const std::string& method, const std::string& path,
              route_access access, const state_ptr& state, Handler handler) {
  for (auto format : {open311_format::json, open311_format::xml}) {
    const auto suffix = format == open311_format::json ? ".json" : ".xml";
    routes.add(method, std::string(prefix) + path + suffix, access,
               [state, handler, format](http_request& request) {
                 return in_jurisdiction(state, request, format, handler);
               });
  }
}

awaitable<http_response> get_discovery(state_ptr state, http_request&, open311_format format) {
  co_return reply(
      format, 200,
      channels::render_open311_object(discovery_json(state->app.settings), "discovery", format));
}

awaitable<http_response> get_services(state_ptr state, http_request&, open311_format format) {
  co_return list(format, services_json(state->app.settings), "services", "service");
}

/// The format a path asks for by its suffix; JSON when it names none.
open311_format format_of(std::string_view path) {
  return path.ends_with(".xml") ? open311_format::xml : open311_format::json;
}

/// True when GET serves `path` (a path under the prefix): what a POST there is refused for.
bool served_by_get(std::string_view path) {
  const auto rest = path.substr(prefix.size());
  const auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    const auto segment = channels::split_open311_format(std::string(rest));
    return segment && (segment->first == "discovery" || segment->first == "services");
  }
  const auto first = rest.substr(0, slash);
  return rest.find('/', slash + 1) == std::string_view::npos &&
         (first == "services" || first == "requests" || first == "tokens");
}

/// Paths under the prefix that no route serves, and POSTs to read-only resources: the answer
/// in the spec's error body (clients parse it), not the API's JSON error.
awaitable<http_response> unmatched(http_request& request) {
  const auto format = format_of(request.path);
  if (request.method == "POST" && served_by_get(request.path)) {
    auto refused = fail(format, 405, "POST is not allowed here; use GET.");
    refused.headers.set("Allow", "GET, HEAD");
    co_return refused;
  }
  co_return fail(format, 404,
                 "Nothing is served at this path; the routes are listed in discovery.json.");
}

}  // namespace

void add_open311_routes(router& routes, const app_context& app) {
  auto state = std::make_shared<open311_state>(app);
  add_both(routes, "GET", "discovery", route_access::open, state, get_discovery);
  add_both(routes, "GET", "services", route_access::open, state, get_services);
  add_both(routes, "GET", "requests", route_access::open, state, get_requests);
  add_both(routes, "POST", "requests", route_access::partner, state, post_request);
  add_both(routes, "GET", "servicerequestupdates", route_access::open, state, get_updates);
  add_both(routes, "POST", "servicerequestupdates", route_access::partner, state, post_update);
  routes.add("GET", std::string(prefix) + "services/{code}", route_access::open,
             [state](http_request& request) { return get_service(state, request); });
  routes.add("GET", std::string(prefix) + "requests/{id}", route_access::open,
             [state](http_request& request) { return get_request(state, request); });
  routes.add("GET", std::string(prefix) + "tokens/{token}", route_access::open,
             [state](http_request& request) { return get_token(state, request); });
  // Last, so every route above matches first.
  for (const char* pattern : {"{path}", "{path}/{more}", "{path}/{more}/{rest}"}) {
    for (const char* method : {"GET", "POST"}) {
      routes.add(method, std::string(prefix) + pattern, route_access::open, unmatched);
    }
  }
}

}  // namespace civicline::server
