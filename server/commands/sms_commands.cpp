#include "server/commands/sms_commands.hpp"

#include <sodium.h>

#include <iostream>

#include "channels/form_body.hpp"
#include "channels/twilio_signature.hpp"
#include "channels/twiml.hpp"
#include "server/commands/common_options.hpp"
#include "server/exit_codes.hpp"
#include "server/http/http_client.hpp"

namespace civicline::server {
namespace {

struct send_options {
  common_options common;
  std::string from;
  std::string text;
  std::vector<std::string> media;
  std::string server_url;
};

/// A message id in Twilio's form: "SM" and 32 hex digits.
std::string new_message_sid() {
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[2 * sizeof bytes + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return std::string("SM") + hex;
}

/// A content type for a media URL, from its extension, as a provider would report it.
std::string media_type_of(std::string_view url) {
  const auto dot = url.rfind('.');
  const auto extension = dot == std::string_view::npos ? std::string_view() : url.substr(dot + 1);
  if (extension == "jpg" || extension == "jpeg") {
    return "image/jpeg";
  }
  if (extension == "png" || extension == "gif" || extension == "webp") {
    return "image/" + std::string(extension);
  }
  return "application/octet-stream";
}

/// Where the server listens, as this machine reaches it.
std::string local_server_url(const config::server_settings& server) {
  std::string host = server.listen_host;
  if (host == "0.0.0.0" || host == "::") {
    host = "127.0.0.1";
  } else if (host.find(':') != std::string::npos) {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(server.listen_port);
}

int send(const send_options& options) {
  auto settings = load_settings_or_report(options.common);
  if (!settings) {
    return exit_code::bad_config;
  }
  const auto& twilio = settings->sms.twilio;
  if (twilio.auth_token.empty()) {
    std::cerr << "civicline: sms.twilio.auth_token is not set, so the server refuses SMS; set it "
                 "in the config or CIVICLINE_TWILIO_AUTH_TOKEN\n";
    return exit_code::bad_config;
  }
  const std::string target = "/sms/twilio";
  channels::form_params params{{"MessageSid", new_message_sid()},
                               {"AccountSid", twilio.account_sid},
                               {"From", options.from},
                               {"To", twilio.from},
                               {"Body", options.text},
                               {"NumMedia", std::to_string(options.media.size())}};
  for (std::size_t i = 0; i < options.media.size(); ++i) {
    params.emplace_back("MediaUrl" + std::to_string(i), options.media[i]);
    params.emplace_back("MediaContentType" + std::to_string(i), media_type_of(options.media[i]));
  }
  // Signed for the public address, as Twilio would; posted to wherever the server listens.
  const auto signed_url = channels::public_url(settings->server.public_base_url, target);
  const auto base =
      options.server_url.empty() ? local_server_url(settings->server) : options.server_url;
  client_request request;
  request.url = channels::public_url(base, target);
  request.headers = {
      {"Content-Type", "application/x-www-form-urlencoded"},
      {"X-Twilio-Signature", channels::twilio_signature(twilio.auth_token, signed_url, params)}};
  request.body = channels::encode_form_body(params);
  const auto result = http_fetch_blocking(std::move(request), client_options{});
  if (const auto* error = std::get_if<client_error>(&result)) {
    std::cerr << "civicline: cannot reach the server at " << base << ": " << error->what
              << " (is `civicline serve` running? pick another address with --server)\n";
    return exit_code::server_unreachable;
  }
  const auto& response = std::get<client_response>(result);
  if (response.status != 200) {
    std::cerr << "civicline: the server answered " << response.status << ": " << response.body
              << "\n";
    return exit_code::refused;
  }
  const auto replies = channels::parse_twiml_messages(response.body);
  if (replies.empty()) {
    std::cout << "(no reply)\n";
  }
  for (const auto& reply : replies) {
    std::cout << reply << "\n";
  }
  return exit_code::ok;
}

}  // namespace

void add_sms_commands(CLI::App& app, int& exit_status) {
  auto* sms = app.add_subcommand("sms", "Work with the SMS channel");
  sms->require_subcommand(1);
  auto options = std::make_shared<send_options>();
  auto* command = sms->add_subcommand(
      "send",
      "Text the running server as a resident would, signed like Twilio, and print the reply");
  add_data_options(*command, options->common);
  command->add_option("--from", options->from, "The resident's phone number, e.g. +15550001111")
      ->required();
  command->add_option("--media", options->media, "A photo URL to attach (MMS); repeatable");
  command->add_option("--server", options->server_url,
                      "Where the server listens (default: server.listen of the config)");
  command->add_option("text", options->text, "The message")->required();
  command->callback([options, &exit_status] { exit_status = send(*options); });
}

}  // namespace civicline::server
