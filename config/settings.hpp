#pragma once
// The validated contents of civicline's JSON config file. Every component
// receives only its own part; nothing here is a global.

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace civicline::config {

/// Text in each language the city supports, keyed by language code ("en", "es").
using localized_text = std::map<std::string, std::string>;

/// When staff answer handed-off conversations, in the city's local time.
struct business_hours_settings {
  std::chrono::minutes opens{8 * 60};                                    ///< after local midnight
  std::chrono::minutes closes{17 * 60};                                  ///< after local midnight
  std::array<bool, 7> days{false, true, true, true, true, true, false};  ///< Sunday first
};

struct city_settings {
  std::string name;                    ///< "Demo City"
  std::string timezone;                ///< IANA zone, e.g. "America/Phoenix"; display and SLA only
  std::vector<std::string> languages;  ///< supported reply languages, first is the default
  std::string tracking_id_prefix = "311-";
  int tracking_id_digits = 6;
  std::string program_name;  ///< for HELP/INFO replies; the loader defaults it to "<name> 311"
  std::string contact;       ///< for HELP/INFO replies, e.g. "Call 311 or visit city.gov/311"
  business_hours_settings business_hours;
  std::chrono::minutes draft_expiry{30};   ///< an unfinished report is dropped after this
  std::chrono::hours handoff_timeout{72};  ///< unanswered handoffs stop silencing the bot
  int duplicate_radius_m = 30;  ///< reports with coordinates this close are the same place
  /// Open311's jurisdiction_id for this city ("democity.gov"); when set, a request naming
  /// another one is refused with 404. "" accepts any.
  std::string open311_jurisdiction_id{};
  /// When true, an Open311 report whose `phone` is an international number (E.164) is made by
  /// the SMS resident of that number, so its status changes reach them by SMS (STOP honoured).
  bool open311_sms_updates = false;
};

struct server_settings {
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 8080;
  int threads = 0;              ///< I/O threads; 0 means one per core
  std::string public_base_url;  ///< how residents and Twilio reach us, e.g. "https://311.city.gov"
  /// Set in the file or the environment (not the localhost default): only then do replies to
  /// residents carry links to the status page.
  bool public_base_url_configured = false;
};

struct http_settings {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 << 10;
  std::chrono::milliseconds header_timeout{10'000};  ///< to receive a full request header
  std::chrono::milliseconds read_timeout{30'000};    ///< to receive the body after the header
  std::chrono::milliseconds idle_timeout{60'000};    ///< keep-alive wait for the next request
  std::size_t max_connections = 10'000;
};

struct storage_settings {
  /// SQLite file; relative paths are resolved against the config file.
  std::filesystem::path database;
  int readers = 4;
  std::chrono::milliseconds busy_timeout{5'000};
  std::size_t max_batch_jobs = 512;  ///< write jobs committed together at most
  int writer_cache_mb = 32;          ///< SQLite page cache of the write connection
  int reader_cache_mb = 2;           ///< SQLite page cache of each read connection
};

struct log_settings {
  std::string level = "info";  ///< trace, debug, info, warn, error, off
  bool access_log = true;      ///< one JSON line per HTTP request on stdout
};

/// An extra question a category asks (the chatbot asks it; Open311 exposes it as an attribute).
struct category_question {
  std::string code;      ///< "flooding"
  std::string datatype;  ///< string, number, datetime, text, singlevaluelist, multivaluelist
  bool required = false;
  localized_text prompt;  ///< "Is the water flooding the street?"
  std::vector<std::pair<std::string, localized_text>> values;  ///< key -> name, for list types
};

struct category {
  std::string code;  ///< Open311 service_code, e.g. "pothole"
  localized_text name;
  localized_text description;
  std::string group;  ///< "Streets"
  int sla_hours = 72;
  bool location_required = true;
  /// How far back an open request of this category at the same place counts as the same
  /// problem; zero means every report becomes its own request.
  std::chrono::days duplicate_window{14};
  std::vector<category_question> questions;
  std::string team;  ///< the team whose queue new requests land in; "" = no team
};

/// A group of staff who work one queue ("streets"); requests are routed by category.
struct team {
  std::string code;  ///< "streets"
  std::string name;  ///< "Street Maintenance"
};

/// Where the bot's language knowledge lives; relative paths are resolved against the config
/// file's directory. Both are re-read on SIGHUP.
struct content_settings {
  std::filesystem::path rule_packs = "nlp";       ///< config/nlp/*.json
  std::filesystem::path templates = "templates";  ///< config/templates/*.json
};

/// Twilio: inbound webhooks are verified with `auth_token` (always); outbound messages go
/// through its REST API. Secrets are best given by environment (CIVICLINE_TWILIO_*).
struct twilio_settings {
  std::string account_sid;            ///< "AC..."
  std::string auth_token;             ///< signs webhooks and authenticates the REST API
  std::string from;                   ///< the city's number, E.164
  std::string messaging_service_sid;  ///< sends from this service instead of `from` when set
  std::string api_base_url = "https://api.twilio.com";  ///< "" keeps notifications queued
};

/// Vonage (Nexmo): inbound webhooks arrive unsigned unless `webhook_secret` is set; replies
/// leave through its SMS API.
struct vonage_settings {
  std::string api_key;
  std::string api_secret;
  std::string from;  ///< the city's number or sender id
  std::string api_base_url = "https://rest.nexmo.com";
  std::string webhook_secret;  ///< the `secret` query parameter of the webhook; "" = webhook off
};

struct sms_settings {
  twilio_settings twilio;
  vonage_settings vonage;
  /// Who sends notifications to SMS residents: "twilio" or "vonage". Replies to a Vonage
  /// webhook always go back through Vonage.
  std::string outbound_provider = "twilio";
  int max_messages_per_minute = 10;        ///< per sender, to protect the city's bill; 0 = no limit
  std::chrono::seconds retry_initial{30};  ///< first wait after a provider failure, then doubled
  std::chrono::seconds retry_max{3600};    ///< the longest wait between two attempts
  int max_attempts = 12;                   ///< then the notification is marked failed
  std::chrono::milliseconds poll_interval{1000};  ///< how often queued messages are looked for
  /// An extra trusted CA (PEM) for provider APIs, e.g. a company proxy; the system's are kept.
  std::filesystem::path ca_file;
};

/// Partner webhooks (docs/WEBHOOKS.md): delivery timing, the SSRF allow-list and when a
/// failing endpoint is given up on.
struct webhook_settings {
  /// Waits before each attempt, counted from the previous failure: the first is normally 0
  /// (at once); there are as many attempts as entries, then the delivery is "failed".
  std::vector<std::chrono::seconds> retry_schedule{
      std::chrono::seconds(0),     std::chrono::seconds(5),     std::chrono::seconds(300),
      std::chrono::seconds(1800),  std::chrono::seconds(7200),  std::chrono::seconds(18000),
      std::chrono::seconds(36000), std::chrono::seconds(50400), std::chrono::seconds(72000),
      std::chrono::seconds(86400)};
  int retry_jitter_percent = 10;  ///< each wait is spread by up to this much either way
  /// Hosts (as written in endpoint URLs) that may be loopback or private addresses and
  /// plain http, e.g. "127.0.0.1" for tests and the demo; every other host must be public.
  std::vector<std::string> allow_private_hosts;
  /// An endpoint whose attempts all failed for this long is disabled; 0 = never.
  std::chrono::days disable_after{5};
  std::chrono::milliseconds timeout{15'000};       ///< one attempt, connect to last byte
  std::chrono::milliseconds poll_interval{500};    ///< how often the outbox is looked at
  int max_in_flight_per_endpoint = 4;              ///< concurrent attempts to one endpoint
  std::chrono::hours secret_rotation_overlap{24};  ///< the old secret keeps signing this long
  /// An extra trusted CA (PEM) for partners' endpoints; the system's are kept.
  std::filesystem::path ca_file;
};

/// The public progress dashboard (/public/) and its summary.json.
struct public_data_settings {
  /// "What we changed": the city's words beside the numbers, per language. Admins may replace
  /// them through PUT /api/v1/public/notes (stored notes win).
  localized_text notes;
  /// How long a computed summary is reused for the same period (0 = computed on every hit).
  std::chrono::seconds cache_ttl{60};
  /// Publish each request's description in the open-data export, with phone numbers, e-mail
  /// addresses and names after cues like "my name is" masked. Off by default: free text can
  /// hold personal data no rule finds.
  bool export_descriptions = false;
};

/// The web chat (docs/WEB_CHAT.md): who may embed it from another site and how fast a visitor
/// may type.
struct chat_settings {
  /// Origins ("https://www.city.example", scheme://host[:port], no path) of other sites that
  /// may embed the widget: they may open the WebSocket and send the session in a header.
  /// Pages served by civicline itself are always allowed.
  std::vector<std::string> allowed_origins;
  int max_messages_per_minute_per_session = 20;  ///< 0 = no limit
  int max_messages_per_minute_per_ip = 120;      ///< 0 = no limit; NATs share an address
};

/// Photos residents attach in the web chat (the "attachments" section). Files are kept in an
/// "attachments" directory next to the database.
struct attachment_settings {
  std::size_t max_bytes = 8 << 20;  ///< a larger upload is refused with 413
};

/// Switches for operators and tests; all off in production configs.
struct diagnostics_settings {
  bool write_probe = false;  ///< enables POST /_diag/write-probe (durability tests)
};

struct settings {
  std::filesystem::path source_file;  ///< the file these settings were read from
  city_settings city;
  server_settings server;
  http_settings http;
  storage_settings storage;
  log_settings log;
  std::vector<team> teams;
  std::vector<category> categories;
  content_settings content;
  sms_settings sms;
  webhook_settings webhooks;
  public_data_settings public_data;  ///< the "public" section
  chat_settings chat;
  diagnostics_settings diagnostics;
  attachment_settings attachments;
};

}  // namespace civicline::config
