#pragma once
// Reads each section of the config document into `settings`. Internal to the
// config library: the public header is load.hpp.

#include "config/settings.hpp"
#include "config/validate.hpp"

namespace civicline::config::detail {

/// What the sections need to know from outside the document.
struct read_options {
  /// storage.database may be left out because CIVICLINE_DB provides it.
  bool database_from_environment = false;
};

/// Fills settings from the parsed document, recording every problem in `problems`.
/// Values that fail validation keep their defaults; the caller throws if problems
/// is not empty. Paths are left as written (resolution happens in load.cpp), and
/// an absent server.public_base_url is left empty.
settings read_settings(const json& root, const read_options& options, problem_list& problems);

/// The "sms" section (sms_section.cpp).
void read_sms(const json& value, sms_settings& sms, problem_list& problems);

/// The "webhooks" section (webhook_section.cpp).
void read_webhooks(const json& value, webhook_settings& webhooks, problem_list& problems);

/// The "chat" section (chat_section.cpp).
void read_chat(const json& value, chat_settings& chat, problem_list& problems);

}  // namespace civicline::config::detail
