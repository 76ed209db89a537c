#include "config/sections.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

namespace civicline::config::detail {
namespace {

// Upper bounds catch typos (an extra zero or two) rather than encode policy.
constexpr std::int64_t max_body_limit = 100LL << 20;
constexpr std::int64_t max_header_limit = 1LL << 20;
constexpr std::int64_t max_timeout_ms = 3'600'000;  // one hour
constexpr std::int64_t max_connections_limit = 1'000'000;
constexpr std::int64_t max_threads = 256;
constexpr std::int64_t max_readers = 64;
constexpr std::int64_t max_busy_timeout_ms = 600'000;
constexpr std::int64_t max_batch_jobs_limit = 100'000;
constexpr std::int64_t max_cache_mb = 16'384;
constexpr std::int64_t max_sla_hours = 8'760;  // one year
constexpr std::size_t max_prefix_length = 8;
constexpr std::size_t max_name_length = 200;
constexpr std::size_t max_contact_length = 200;
constexpr std::int64_t max_draft_expiry_minutes = 1'440;  // one day
constexpr std::int64_t max_handoff_timeout_hours = 720;   // thirty days
constexpr std::int64_t max_duplicate_radius_m = 1'000;
constexpr std::int64_t max_duplicate_window_days = 365;
constexpr std::int64_t max_public_cache_seconds = 86'400;  // one day

const std::vector<std::string> question_datatypes{"string", "number",          "datetime",
                                                  "text",   "singlevaluelist", "multivaluelist"};

bool contains(const std::vector<std::string>& words, std::string_view word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

bool is_blank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// The languages every localized text must have; unknown when city.languages is invalid,
// in which case texts are only checked against the supported set.
struct language_context {
  std::vector<std::string> configured;
  bool known = true;
};

std::string localized_rule(const language_context& languages) {
  return "give the text in every language of city.languages (" + join(languages.configured) + ")";
}

localized_text read_localized(const json& value, const std::string& path,
                              const language_context& languages, problem_list& problems) {
  localized_text text;
  if (!value.is_object()) {
    problems.add(path,
                 "must be an object of texts by language, e.g. {\"en\": \"...\", \"es\": "
                 "\"...\"} (got " +
                     shown(value) + ")");
    return text;
  }
  for (const auto& [language, member] : value.items()) {
    const std::string member_at = member_path(path, language);
    if (!contains(supported_languages(), language)) {
      problems.add(member_at, "unknown language (allowed: " + join(supported_languages()) + ")");
      continue;
    }
    auto words = as_string(member, member_at, problems);
    if (words && is_blank(*words)) {
      problems.add(member_at, "must not be empty");
    } else if (words && (!languages.known || contains(languages.configured, language))) {
      // A supported language the city has switched off is accepted and dropped,
      // so a city can turn a language off by editing city.languages alone.
      text.emplace(language, std::move(*words));
    }
  }
  if (languages.known) {
    for (const std::string& language : languages.configured) {
      if (!value.contains(language)) {
        problems.add(member_path(path, language), "missing; " + localized_rule(languages));
      }
    }
  }
  return text;
}

std::string clock_text(std::chrono::minutes time) {
  const auto two_digits = [](long long n) { return (n < 10 ? "0" : "") + std::to_string(n); };
  return two_digits(time.count() / 60) + ":" + two_digits(time.count() % 60);
}

// A time of day such as "08:00"; nullopt when absent or invalid (reported).
std::optional<std::chrono::minutes> read_clock_time(const object_reader& in, std::string_view key,
                                                    bool& valid) {
  std::string text;
  if (!in.read_string(key, text)) {
    valid = valid && in.find(key) == nullptr;
    return std::nullopt;
  }
  auto time = parse_clock_time(text);
  if (!time) {
    in.problems().add(in.path_of(key),
                      "must be a 24-hour time HH:MM from 00:00 to 24:00, e.g. \"08:00\" (got " +
                          shown(json(text)) + ")");
    valid = false;
  }
  return time;
}

void read_business_hours(const json& value, const std::string& path, business_hours_settings& hours,
                         problem_list& problems) {
  const object_reader in(value, path, problems, {"opens", "closes", "days"});
  if (!in.valid()) {
    return;
  }
  bool times_valid = true;
  const auto opens = read_clock_time(in, "opens", times_valid);
  const auto closes = read_clock_time(in, "closes", times_valid);
  if (times_valid) {
    const auto open_at = opens.value_or(hours.opens);
    const auto close_at = closes.value_or(hours.closes);
    if (open_at >= close_at) {
      problems.add(in.path_of(closes ? "closes" : "opens"),
                   "closes must be later than opens (got opens " + clock_text(open_at) +
                       ", closes " + clock_text(close_at) +
                       "); hours that run past midnight are not supported");
    } else {
      hours.opens = open_at;
      hours.closes = close_at;
    }
  }

  if (const json* days = in.find("days")) {
    const std::string days_path = in.path_of("days");
    const std::string allowed = join(weekday_names());
    if (!days->is_array() || days->empty()) {
      problems.add(days_path, "must be a non-empty array of distinct day names from: " + allowed +
                                  " (got " + shown(*days) + ")");
      return;
    }
    std::array<bool, 7> open_days{};
    bool days_valid = true;
    for (std::size_t i = 0; i < days->size(); ++i) {
      const std::string at = element_path(days_path, i);
      const auto name = as_string((*days)[i], at, problems);
      if (!name) {
        days_valid = false;
        continue;
      }
      const auto& names = weekday_names();
      const auto day = std::find(names.begin(), names.end(), *name);
      if (day == names.end()) {
        problems.add(at, "unknown day " + shown((*days)[i]) + " (allowed: " + allowed + ")");
        days_valid = false;
      } else if (auto& open = open_days[static_cast<std::size_t>(day - names.begin())]; open) {
        problems.add(at, "day " + shown((*days)[i]) + " is listed twice");
        days_valid = false;
      } else {
        open = true;
      }
    }
    if (days_valid) {
      hours.days = open_days;
    }
  }
}

language_context read_city(const json& value, city_settings& city, problem_list& problems) {
  const object_reader in(
      value, "city", problems,
      {"name", "timezone", "languages", "tracking_id_prefix", "tracking_id_digits", "program_name",
       "contact", "business_hours", "draft_expiry_minutes", "handoff_timeout_hours",
       "duplicate_radius_m", "open311_jurisdiction_id", "open311_sms_updates"});
  language_context languages{{"en"}, true};

  if (const json* name = in.require("name", "the city's name as residents see it")) {
    if (auto text = as_string(*name, in.path_of("name"), problems)) {
      if (is_blank(*text) || text->size() > max_name_length) {
        problems.add(in.path_of("name"), "must be 1 to " + std::to_string(max_name_length) +
                                             " characters (got " + shown(*name) + ")");
      } else {
        city.name = std::move(*text);
      }
    }
  }

  city.timezone = "UTC";
  if (std::string zone; in.read_string("timezone", zone)) {
    if (looks_like_timezone(zone)) {
      city.timezone = std::move(zone);
    } else {
      problems.add(in.path_of("timezone"),
                   "must be an IANA time zone name such as \"America/Phoenix\" or \"UTC\" (got " +
                       shown(json(zone)) + ")");
    }
  }

  if (const json* list = in.find("languages")) {
    const std::string path = in.path_of("languages");
    const std::string rule = "must be a non-empty array of distinct language codes from: " +
                             join(supported_languages()) + "; the first is the default";
    if (!list->is_array() || list->empty()) {
      problems.add(path, rule + " (got " + shown(*list) + ")");
      languages.known = false;
    } else {
      languages.configured.clear();
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string at = element_path(path, i);
        auto code = as_string((*list)[i], at, problems);
        if (!code) {
          languages.known = false;
        } else if (!contains(supported_languages(), *code)) {
          problems.add(at, "unsupported language " + shown((*list)[i]) +
                               " (allowed: " + join(supported_languages()) + ")");
          languages.known = false;
        } else if (contains(languages.configured, *code)) {
          problems.add(at, "language " + shown((*list)[i]) + " is listed twice");
        } else {
          languages.configured.push_back(std::move(*code));
        }
      }
    }
  }
  city.languages = languages.configured;

  if (std::string prefix; in.read_string("tracking_id_prefix", prefix)) {
    const bool printable =
        std::all_of(prefix.begin(), prefix.end(), [](char c) { return c > ' ' && c < 0x7f; });
    if (!printable || prefix.size() > max_prefix_length) {
      problems.add(in.path_of("tracking_id_prefix"),
                   "must be at most " + std::to_string(max_prefix_length) +
                       " printable ASCII characters without spaces, residents type it (got " +
                       shown(json(prefix)) + ")");
    } else {
      city.tracking_id_prefix = std::move(prefix);
    }
  }
  if (std::int64_t digits = 0; in.read_integer("tracking_id_digits", 4, 12, digits)) {
    city.tracking_id_digits = static_cast<int>(digits);
  }

  if (std::string program; in.read_string("program_name", program)) {
    if (is_blank(program) || program.size() > max_name_length) {
      problems.add(in.path_of("program_name"), "must be 1 to " + std::to_string(max_name_length) +
                                                   " characters, the name HELP replies use (got " +
                                                   shown(json(program)) + ")");
    } else {
      city.program_name = std::move(program);
    }
  } else if (in.find("program_name") == nullptr && !city.name.empty()) {
    city.program_name = city.name + " 311";
  }
  if (std::string contact; in.read_string("contact", contact)) {
    if (contact.size() > max_contact_length) {
      problems.add(in.path_of("contact"), "must be at most " + std::to_string(max_contact_length) +
                                              " characters, it goes into a text message (got " +
                                              shown(json(contact)) + ")");
    } else {
      city.contact = std::move(contact);
    }
  }
  if (const json* hours = in.find("business_hours")) {
    read_business_hours(*hours, in.path_of("business_hours"), city.business_hours, problems);
  }
  if (std::int64_t minutes = 0;
      in.read_integer("draft_expiry_minutes", 1, max_draft_expiry_minutes, minutes)) {
    city.draft_expiry = std::chrono::minutes(minutes);
  }
  if (std::int64_t hours = 0;
      in.read_integer("handoff_timeout_hours", 1, max_handoff_timeout_hours, hours)) {
    city.handoff_timeout = std::chrono::hours(hours);
  }
  if (std::int64_t metres = 0;
      in.read_integer("duplicate_radius_m", 0, max_duplicate_radius_m, metres)) {
    city.duplicate_radius_m = static_cast<int>(metres);
  }
  in.read_string("open311_jurisdiction_id", city.open311_jurisdiction_id);
  in.read_bool("open311_sms_updates", city.open311_sms_updates);
  return languages;
}

void read_server(const json& value, server_settings& server, problem_list& problems) {
  const object_reader in(value, "server", problems, {"listen", "threads", "public_base_url"});
  if (std::string listen; in.read_string("listen", listen)) {
    std::string error;
    if (auto address = parse_listen(listen, error)) {
      server.listen_host = std::move(address->host);
      server.listen_port = address->port;
    } else {
      problems.add(in.path_of("listen"), error);
    }
  }
  if (std::int64_t threads = 0; in.read_integer("threads", 0, max_threads, threads)) {
    server.threads = static_cast<int>(threads);
  }
  if (std::string url; in.read_string("public_base_url", url)) {
    url = normalize_base_url(url);
    if (const std::string error = check_base_url(url); error.empty()) {
      server.public_base_url = std::move(url);
    } else {
      problems.add(in.path_of("public_base_url"), error);
    }
  }
}

// Reads a positive millisecond count, e.g. "header_timeout_ms".
void read_milliseconds(const object_reader& in, std::string_view key, std::int64_t max,
                       std::chrono::milliseconds& out) {
  if (std::int64_t ms = 0; in.read_integer(key, 1, max, ms)) {
    out = std::chrono::milliseconds(ms);
  }
}

void read_size(const object_reader& in, std::string_view key, std::int64_t min, std::int64_t max,
               std::size_t& out) {
  if (std::int64_t n = 0; in.read_integer(key, min, max, n)) {
    out = static_cast<std::size_t>(n);
  }
}

void read_http(const json& value, http_settings& http, problem_list& problems) {
  const object_reader in(value, "http", problems,
                         {"max_body_bytes", "max_header_bytes", "header_timeout_ms",
                          "read_timeout_ms", "idle_timeout_ms", "max_connections"});
  read_size(in, "max_body_bytes", 1024, max_body_limit, http.max_body_bytes);
  read_size(in, "max_header_bytes", 1024, max_header_limit, http.max_header_bytes);
  read_milliseconds(in, "header_timeout_ms", max_timeout_ms, http.header_timeout);
  read_milliseconds(in, "read_timeout_ms", max_timeout_ms, http.read_timeout);
  read_milliseconds(in, "idle_timeout_ms", max_timeout_ms, http.idle_timeout);
  read_size(in, "max_connections", 1, max_connections_limit, http.max_connections);
}

void read_storage(const json& value, const read_options& options, storage_settings& storage,
                  problem_list& problems) {
  const object_reader in(value, "storage", problems,
                         {"database", "readers", "busy_timeout_ms", "max_batch_jobs",
                          "writer_cache_mb", "reader_cache_mb"});
  const json* database =
      options.database_from_environment
          ? in.find("database")
          : in.require("database",
                       "the SQLite file, relative to this config file's directory "
                       "(or set CIVICLINE_DB)");
  if (database != nullptr) {
    if (auto path = as_string(*database, in.path_of("database"), problems)) {
      if (path->empty()) {
        problems.add(in.path_of("database"), "must not be empty; give the SQLite file's path");
      } else {
        storage.database = std::move(*path);
      }
    }
  }
  if (std::int64_t readers = 0; in.read_integer("readers", 1, max_readers, readers)) {
    storage.readers = static_cast<int>(readers);
  }
  read_milliseconds(in, "busy_timeout_ms", max_busy_timeout_ms, storage.busy_timeout);
  read_size(in, "max_batch_jobs", 1, max_batch_jobs_limit, storage.max_batch_jobs);
  if (std::int64_t mb = 0; in.read_integer("writer_cache_mb", 1, max_cache_mb, mb)) {
    storage.writer_cache_mb = static_cast<int>(mb);
  }
  if (std::int64_t mb = 0; in.read_integer("reader_cache_mb", 1, max_cache_mb, mb)) {
    storage.reader_cache_mb = static_cast<int>(mb);
  }
}

void read_log(const json& value, log_settings& log, problem_list& problems) {
  const object_reader in(value, "log", problems, {"level", "access_log"});
  if (std::string level; in.read_string("level", level)) {
    if (contains(log_levels(), level)) {
      log.level = std::move(level);
    } else {
      problems.add(in.path_of("level"),
                   "must be one of " + join(log_levels()) + " (got " + shown(json(level)) + ")");
    }
  }
  in.read_bool("access_log", log.access_log);
}

void read_diagnostics(const json& value, diagnostics_settings& diagnostics,
                      problem_list& problems) {
  const object_reader in(value, "diagnostics", problems, {"write_probe"});
  in.read_bool("write_probe", diagnostics.write_probe);
}

/// Photos are re-encoded for the public; beyond this even a phone's RAW export is not a photo.
constexpr std::int64_t max_attachment_bytes = 64LL << 20;

void read_public(const json& value, const language_context& languages, public_data_settings& out,
                 problem_list& problems) {
  const object_reader in(value, "public", problems,
                         {"notes", "cache_seconds", "export_descriptions"});
  if (const json* notes = in.find("notes")) {
    out.notes = read_localized(*notes, in.path_of("notes"), languages, problems);
  }
  if (std::int64_t seconds = 0;
      in.read_integer("cache_seconds", 0, max_public_cache_seconds, seconds)) {
    out.cache_ttl = std::chrono::seconds(seconds);
  }
  in.read_bool("export_descriptions", out.export_descriptions);
}

void read_content(const json& value, content_settings& content, problem_list& problems) {
  const object_reader in(value, "content", problems, {"rule_packs", "templates"});
  std::string path;
  if (in.read_string("rule_packs", path)) {
    content.rule_packs = path;
  }
  if (in.read_string("templates", path)) {
    content.templates = path;
  }
}

void read_values(const json& value, const std::string& path, const language_context& languages,
                 category_question& question, problem_list& problems) {
  if (!value.is_array()) {
    problems.add(path,
                 "must be an array of {\"key\", \"name\"} objects (got " + shown(value) + ")");
    return;
  }
  std::map<std::string, std::string> first_use;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const object_reader in(value[i], element_path(path, i), problems, {"key", "name"});
    if (!in.valid()) {
      continue;
    }
    std::string key;
    if (const json* k = in.require("key")) {
      if (auto text = as_string(*k, in.path_of("key"), problems)) {
        if (!is_value_key(*text)) {
          problems.add(in.path_of("key"),
                       "must match [a-z0-9][a-z0-9_]{0,63} (got " + shown(*k) + ")");
        } else if (auto [it, fresh] = first_use.emplace(*text, in.path_of("key")); !fresh) {
          problems.add(in.path_of("key"),
                       "duplicate value key " + shown(*k) + " (first used at " + it->second + ")");
        } else {
          key = std::move(*text);
        }
      }
    }
    localized_text name;
    if (const json* n = in.require("name")) {
      name = read_localized(*n, in.path_of("name"), languages, problems);
    }
    question.values.emplace_back(std::move(key), std::move(name));
  }
}

category_question read_question(const object_reader& in, const language_context& languages,
                                problem_list& problems) {
  category_question question;
  if (const json* datatype = in.require("datatype")) {
    if (auto text = as_string(*datatype, in.path_of("datatype"), problems)) {
      if (contains(question_datatypes, *text)) {
        question.datatype = std::move(*text);
      } else {
        problems.add(in.path_of("datatype"), "must be one of " + join(question_datatypes) +
                                                 " (got " + shown(*datatype) + ")");
      }
    }
  }
  in.read_bool("required", question.required);
  if (const json* prompt = in.require("prompt", "what the chatbot asks")) {
    question.prompt = read_localized(*prompt, in.path_of("prompt"), languages, problems);
  }

  const bool is_list = question.datatype.ends_with("valuelist");
  const json* values = in.find("values");
  if (values != nullptr && !question.datatype.empty() && !is_list) {
    problems.add(in.path_of("values"),
                 "only singlevaluelist and multivaluelist questions take values (datatype is " +
                     question.datatype + ")");
  } else if (values != nullptr) {
    read_values(*values, in.path_of("values"), languages, question, problems);
  }
  if (is_list && (values == nullptr || (values->is_array() && values->empty()))) {
    problems.add(in.path_of("values"),
                 "a " + question.datatype + " question needs at least one value");
  }
  return question;
}

void read_questions(const json& value, const std::string& path, const language_context& languages,
                    category& out, problem_list& problems) {
  if (!value.is_array()) {
    problems.add(path, "must be an array of question objects (got " + shown(value) + ")");
    return;
  }
  std::map<std::string, std::string> first_use;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const object_reader in(value[i], element_path(path, i), problems,
                           {"code", "datatype", "required", "prompt", "values"});
    if (!in.valid()) {
      continue;
    }
    std::string code;
    if (const json* c = in.require("code")) {
      if (auto text = as_string(*c, in.path_of("code"), problems)) {
        if (!is_code(*text)) {
          problems.add(in.path_of("code"),
                       "must match [a-z][a-z0-9_]{0,63} (got " + shown(*c) + ")");
        } else if (auto [it, fresh] = first_use.emplace(*text, in.path_of("code")); !fresh) {
          problems.add(in.path_of("code"), "duplicate question code " + shown(*c) +
                                               " in this category (first used at " + it->second +
                                               ")");
        } else {
          code = std::move(*text);
        }
      }
    }
    category_question question = read_question(in, languages, problems);
    question.code = std::move(code);
    out.questions.push_back(std::move(question));
  }
}

void read_teams(const json& value, std::vector<team>& teams, problem_list& problems) {
  if (!value.is_array()) {
    problems.add("teams",
                 "must be an array of {\"code\": \"streets\", \"name\": \"Street "
                 "Maintenance\"} objects (got " +
                     shown(value) + ")");
    return;
  }
  std::map<std::string, std::string> first_use;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const object_reader in(value[i], element_path("teams", i), problems, {"code", "name"});
    if (!in.valid()) {
      continue;
    }
    team out;
    if (const json* code = in.require("code", "a short id, e.g. \"streets\"")) {
      if (auto text = as_string(*code, in.path_of("code"), problems)) {
        if (!is_code(*text)) {
          problems.add(in.path_of("code"),
                       "must match [a-z][a-z0-9_]{0,63} (got " + shown(*code) + ")");
        } else if (auto [it, fresh] = first_use.emplace(*text, in.path_of("code")); !fresh) {
          problems.add(in.path_of("code"), "duplicate team code " + shown(*code) +
                                               " (first used at " + it->second + ")");
        } else {
          out.code = std::move(*text);
        }
      }
    }
    if (in.require("name", "what staff call the team, e.g. \"Street Maintenance\"") &&
        in.read_string("name", out.name) &&
        (is_blank(out.name) || out.name.size() > max_name_length)) {
      problems.add(in.path_of("name"),
                   "must be 1 to " + std::to_string(max_name_length) + " characters");
    }
    teams.push_back(std::move(out));
  }
}

void read_categories(const json* value, const language_context& languages,
                     const std::vector<team>& teams, std::vector<category>& categories,
                     problem_list& problems) {
  const std::string rule = "list at least one category, e.g. [{\"code\": \"pothole\", ...}]";
  if (value == nullptr) {
    problems.add("categories", "required key is missing; " + rule);
    return;
  }
  if (!value->is_array() || value->empty()) {
    problems.add("categories",
                 "must be a non-empty array; " + rule + " (got " + shown(*value) + ")");
    return;
  }
  std::map<std::string, std::string> first_use;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const object_reader in((*value)[i], element_path("categories", i), problems,
                           {"code", "name", "description", "group", "sla_hours",
                            "location_required", "duplicate_window_days", "questions", "team"});
    if (!in.valid()) {
      continue;
    }
    category out;
    if (const json* code = in.require("code", "the Open311 service_code, e.g. \"pothole\"")) {
      if (auto text = as_string(*code, in.path_of("code"), problems)) {
        if (!is_code(*text)) {
          problems.add(in.path_of("code"),
                       "must match [a-z][a-z0-9_]{0,63} (got " + shown(*code) + ")");
        } else if (auto [it, fresh] = first_use.emplace(*text, in.path_of("code")); !fresh) {
          problems.add(in.path_of("code"), "duplicate category code " + shown(*code) +
                                               " (first used at " + it->second + ")");
        } else {
          out.code = std::move(*text);
        }
      }
    }
    if (const json* name = in.require("name")) {
      out.name = read_localized(*name, in.path_of("name"), languages, problems);
    }
    if (const json* description = in.find("description")) {
      out.description =
          read_localized(*description, in.path_of("description"), languages, problems);
    } else {
      // Keep "every language present" true for readers of the settings.
      for (const std::string& language : languages.configured) {
        out.description.emplace(language, "");
      }
    }
    out.group = "Other";
    if (std::string group; in.read_string("group", group)) {
      if (is_blank(group) || group.size() > max_name_length) {
        problems.add(in.path_of("group"), "must be 1 to " + std::to_string(max_name_length) +
                                              " characters (got " + shown(json(group)) + ")");
      } else {
        out.group = std::move(group);
      }
    }
    if (std::int64_t hours = 0; in.read_integer("sla_hours", 1, max_sla_hours, hours)) {
      out.sla_hours = static_cast<int>(hours);
    }
    in.read_bool("location_required", out.location_required);
    if (std::int64_t days = 0;
        in.read_integer("duplicate_window_days", 0, max_duplicate_window_days, days)) {
      out.duplicate_window = std::chrono::days(days);
    }
    if (const json* questions = in.find("questions")) {
      read_questions(*questions, in.path_of("questions"), languages, out, problems);
    }
    if (std::string team_code; in.read_string("team", team_code)) {
      if (std::none_of(teams.begin(), teams.end(),
                       [&](const team& known) { return known.code == team_code; })) {
        problems.add(in.path_of("team"), "names no team in \"teams\" (got " +
                                             shown(json(team_code)) + "); add it there first");
      } else {
        out.team = std::move(team_code);
      }
    }
    categories.push_back(std::move(out));
  }
}

}  // namespace

settings read_settings(const json& root, const read_options& options, problem_list& problems) {
  settings out;
  const object_reader in(root, "", problems,
                         {"city", "server", "http", "storage", "log", "teams", "categories",
                          "content", "sms", "webhooks", "public", "chat", "diagnostics",
                          "attachments"});
  if (!in.valid()) {
    return out;
  }
  language_context languages{{"en"}, true};
  if (const json* city = in.find("city")) {
    languages = read_city(*city, out.city, problems);
  } else {
    problems.add("city.name", "required key is missing; the city's name as residents see it");
    out.city.languages = languages.configured;
  }
  if (const json* server = in.find("server")) {
    read_server(*server, out.server, problems);
  }
  if (const json* http = in.find("http")) {
    read_http(*http, out.http, problems);
  }
  if (const json* storage = in.find("storage")) {
    read_storage(*storage, options, out.storage, problems);
  } else if (!options.database_from_environment) {
    problems.add("storage.database",
                 "required key is missing; the SQLite file, relative to this config file's "
                 "directory (or set CIVICLINE_DB)");
  }
  if (const json* log = in.find("log")) {
    read_log(*log, out.log, problems);
  }
  if (const json* teams = in.find("teams")) {
    read_teams(*teams, out.teams, problems);
  }
  read_categories(in.find("categories"), languages, out.teams, out.categories, problems);
  if (const json* content = in.find("content")) {
    read_content(*content, out.content, problems);
  }
  if (const json* sms = in.find("sms")) {
    read_sms(*sms, out.sms, problems);
  }
  if (const json* webhooks = in.find("webhooks")) {
    read_webhooks(*webhooks, out.webhooks, problems);
  }
  if (const json* public_section = in.find("public")) {
    read_public(*public_section, languages, out.public_data, problems);
  }
  if (const json* chat = in.find("chat")) {
    read_chat(*chat, out.chat, problems);
  }
  if (const json* diagnostics = in.find("diagnostics")) {
    read_diagnostics(*diagnostics, out.diagnostics, problems);
  }
  if (const json* attachments = in.find("attachments")) {
    const object_reader section(*attachments, "attachments", problems, {"max_bytes"});
    read_size(section, "max_bytes", 1024, max_attachment_bytes, out.attachments.max_bytes);
  }
  return out;
}

}  // namespace civicline::config::detail
