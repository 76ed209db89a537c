#include "server/auth/access.hpp"

namespace civicline::server::auth {

std::string_view to_string(user_role role) {
  switch (role) {
    case user_role::agent:
      return "agent";
    case user_role::supervisor:
      return "supervisor";
    case user_role::admin:
      return "admin";
  }
  return "agent";
}

std::string_view to_string(key_role role) {
  switch (role) {
    case key_role::staff:
      return "staff";
    case key_role::partner:
      return "partner";
    case key_role::admin:
      return "admin";
  }
  return "partner";
}

std::optional<user_role> user_role_from_string(std::string_view text) {
  for (const auto role : {user_role::agent, user_role::supervisor, user_role::admin}) {
    if (text == to_string(role)) {
      return role;
    }
  }
  return std::nullopt;
}

std::optional<key_role> key_role_from_string(std::string_view text) {
  for (const auto role : {key_role::staff, key_role::partner, key_role::admin}) {
    if (text == to_string(role)) {
      return role;
    }
  }
  return std::nullopt;
}

namespace {

/// The rank a staff role grants; 0 for partners and anything unknown.
int staff_rank(const principal& who) {
  if (who.kind == principal::kind::user) {
    const auto role = user_role_from_string(who.role);
    return !role ? 0 : *role == user_role::agent ? 1 : *role == user_role::supervisor ? 2 : 3;
  }
  const auto role = key_role_from_string(who.role);
  return !role ? 0 : *role == key_role::staff ? 1 : *role == key_role::admin ? 3 : 0;
}

}  // namespace

bool allowed(const principal& who, permission what) {
  switch (what) {
    case permission::read_requests:
    case permission::change_requests:
      return staff_rank(who) >= 1;
    case permission::supervise:
      return staff_rank(who) >= 2;
    case permission::administer:
      return staff_rank(who) >= 3;
    case permission::partner_api:
      return staff_rank(who) >= 3 ||
             (who.kind == principal::kind::api_key && who.role == to_string(key_role::partner));
  }
  return false;
}

std::string actor_id(const principal& who) {
  return who.kind == principal::kind::user ? who.name : "key:" + who.name;
}

}  // namespace civicline::server::auth
