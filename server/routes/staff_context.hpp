#pragma once
// What the staff API's handlers share: the app, the live templates, authentication and
// logins, and the hook that wakes the notification senders.

#include <functional>

#include "server/app_context.hpp"
#include "server/auth/address_throttle.hpp"
#include "server/auth/authenticate.hpp"
#include "server/auth/login.hpp"
#include "server/knowledge_loader.hpp"

namespace civicline::server {

struct staff_context {
  staff_context(const app_context& app_in, const live_knowledge& knowledge_in,
                std::function<void()> notifications_queued_in, auth::auth_policy policy)
      : app(app_in),
        knowledge(knowledge_in),
        authenticator(app_in.db, policy, app_in.now, app_in.settings.server.public_base_url),
        logins(app_in.db, policy, app_in.now),
        login_addresses(policy),
        notifications_queued(std::move(notifications_queued_in)),
        secure_cookies(app_in.settings.server.public_base_url.starts_with("https://")) {}

  const app_context& app;
  const live_knowledge& knowledge;
  auth::authenticator authenticator;
  auth::login_service logins;
  auth::address_throttle login_addresses;      ///< failed logins per client address
  std::function<void()> notifications_queued;  ///< called after notifications were queued
  bool secure_cookies;                         ///< the public URL is https
};

}  // namespace civicline::server
