// The "sms" section: providers' credentials, the per-sender limit and the retry policy
// of outbound messages.

#include <algorithm>

#include "config/sections.hpp"

namespace civicline::config::detail {
namespace {

constexpr std::int64_t max_messages_per_minute_limit = 10'000;
constexpr std::int64_t max_retry_seconds = 86'400;  // one day
constexpr std::int64_t max_attempts_limit = 100;
constexpr std::int64_t max_poll_interval_ms = 60'000;

const std::vector<std::string> sms_providers{"twilio", "vonage"};

// An API base URL: empty (sending switched off) or an absolute http(s) URL.
void read_api_base_url(const object_reader& in, std::string& out) {
  std::string url;
  if (!in.read_string("api_base_url", url)) {
    return;
  }
  if (url.empty()) {
    out.clear();
    return;
  }
  url = normalize_base_url(url);
  if (const std::string error = check_base_url(url); !error.empty()) {
    in.problems().add(in.path_of("api_base_url"), error + " (or \"\" to keep messages queued)");
    return;
  }
  out = std::move(url);
}

void read_twilio(const json& value, const std::string& path, twilio_settings& twilio,
                 problem_list& problems) {
  const object_reader in(
      value, path, problems,
      {"account_sid", "auth_token", "from", "messaging_service_sid", "api_base_url"});
  in.read_string("account_sid", twilio.account_sid);
  in.read_string("auth_token", twilio.auth_token);
  in.read_string("from", twilio.from);
  in.read_string("messaging_service_sid", twilio.messaging_service_sid);
  read_api_base_url(in, twilio.api_base_url);
}

void read_vonage(const json& value, const std::string& path, vonage_settings& vonage,
                 problem_list& problems) {
  const object_reader in(value, path, problems,
                         {"api_key", "api_secret", "from", "api_base_url", "webhook_secret"});
  in.read_string("api_key", vonage.api_key);
  in.read_string("api_secret", vonage.api_secret);
  in.read_string("from", vonage.from);
  if (in.read_string("webhook_secret", vonage.webhook_secret) &&
      !vonage.webhook_secret.empty() && vonage.webhook_secret.size() < 16) {
    problems.add(in.path_of("webhook_secret"),
                 "must be at least 16 characters (it is all that keeps strangers from posting "
                 "messages); generate one with `openssl rand -hex 16`");
  }
  read_api_base_url(in, vonage.api_base_url);
}

}  // namespace

void read_sms(const json& value, sms_settings& sms, problem_list& problems) {
  const object_reader in(
      value, "sms", problems,
      {"twilio", "vonage", "outbound_provider", "max_messages_per_minute", "retry_initial_seconds",
       "retry_max_seconds", "max_attempts", "poll_interval_ms", "ca_file"});
  if (const json* twilio = in.find("twilio")) {
    read_twilio(*twilio, in.path_of("twilio"), sms.twilio, problems);
  }
  if (const json* vonage = in.find("vonage")) {
    read_vonage(*vonage, in.path_of("vonage"), sms.vonage, problems);
  }
  if (std::string provider; in.read_string("outbound_provider", provider)) {
    if (std::find(sms_providers.begin(), sms_providers.end(), provider) != sms_providers.end()) {
      sms.outbound_provider = std::move(provider);
    } else {
      problems.add(in.path_of("outbound_provider"), "must be one of " + join(sms_providers) +
                                                        " (got " + shown(json(provider)) + ")");
    }
  }
  if (std::int64_t n = 0;
      in.read_integer("max_messages_per_minute", 0, max_messages_per_minute_limit, n)) {
    sms.max_messages_per_minute = static_cast<int>(n);
  }
  if (std::int64_t s = 0; in.read_integer("retry_initial_seconds", 1, max_retry_seconds, s)) {
    sms.retry_initial = std::chrono::seconds(s);
  }
  if (std::int64_t s = 0; in.read_integer("retry_max_seconds", 1, max_retry_seconds, s)) {
    sms.retry_max = std::chrono::seconds(s);
  }
  if (sms.retry_max < sms.retry_initial) {
    problems.add(in.path_of("retry_max_seconds"), "must be at least retry_initial_seconds (" +
                                                      std::to_string(sms.retry_initial.count()) +
                                                      ")");
  }
  if (std::int64_t n = 0; in.read_integer("max_attempts", 1, max_attempts_limit, n)) {
    sms.max_attempts = static_cast<int>(n);
  }
  if (std::int64_t ms = 0; in.read_integer("poll_interval_ms", 10, max_poll_interval_ms, ms)) {
    sms.poll_interval = std::chrono::milliseconds(ms);
  }
  if (std::string path; in.read_string("ca_file", path)) {
    sms.ca_file = path;
  }
}

}  // namespace civicline::config::detail
