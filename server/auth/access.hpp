#pragma once
// Who may do what: the principal a request authenticated as, and the one table that says
// which permissions each role has. Pure: no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace civicline::server::auth {

/// Roles of people who log in.
enum class user_role : std::uint8_t { agent, supervisor, admin };
/// Roles of API keys (integrations).
enum class key_role : std::uint8_t { staff, partner, admin };

std::string_view to_string(user_role role);
std::string_view to_string(key_role role);
std::optional<user_role> user_role_from_string(std::string_view text);
std::optional<key_role> key_role_from_string(std::string_view text);

/// Something a caller may be allowed to do.
enum class permission : std::uint8_t {
  read_requests,    ///< the staff queue and request details, transcripts included
  change_requests,  ///< status, notes (and later assignment, priority, merge)
  supervise,        ///< stats and exports (later slices)
  administer,       ///< users, API keys, webhooks (later slices)
  partner_api,      ///< Open311 POST and the partner endpoints: no resident PII
};

/// The authenticated caller.
struct principal {
  enum class kind : std::uint8_t { user, api_key } kind = kind::user;
  std::int64_t id = 0;  ///< staff_users.id or api_keys.id
  std::string name;     ///< the user's login name or the key's name
  std::string role;  ///< "agent", "supervisor", "admin" (users); "staff", "partner", "admin" (keys)
  /// For cookie sessions: the session row and the token a state-changing request must echo.
  std::optional<std::int64_t> session_id{};
  std::string csrf_token{};
};

/// True when `who` has `what`. Users: every role reads and changes requests, supervisors and
/// admins supervise, admins administer. Keys: `staff` acts like an agent, `admin` like an
/// admin, `partner` has partner_api only (admins have it too). Unknown roles have nothing.
bool allowed(const principal& who, permission what);

/// The name written into a request's history for changes `who` makes ("ana", "key:crm").
std::string actor_id(const principal& who);

}  // namespace civicline::server::auth
