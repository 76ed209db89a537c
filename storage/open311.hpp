#pragma once
// The rows behind Open311 beyond the request itself: the FixMyStreet updates extension (GET
// servicerequestupdates: the public side of request history — status changes and public
// notes — across requests), the contact details a client sends with a report (PII, for staff
// only) and the client's address_id.

#include <SQLiteCpp/Database.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace civicline::storage {

struct public_update_record {
  std::int64_t id = 0;      ///< request_history.id: the update_id
  std::string tracking_id;  ///< the request's
  std::string at;
  std::string field;        ///< "status" or "note"
  std::string status;       ///< the request's status right after this entry
  std::string public_note;  ///< "" when the change had none
};

/// Status changes and entries with a public note made at or after `from` and before `to`,
/// oldest first, at most `limit`. Internal notes and who made the change are never read.
std::vector<public_update_record> public_updates(SQLite::Database& db, std::string_view from,
                                                 std::string_view to, std::size_t limit);

/// The query plan SQLite chooses for public_updates (EXPLAIN QUERY PLAN's detail lines), so
/// a test can prove it reads by time through an index.
std::vector<std::string> public_updates_plan(SQLite::Database& db);

/// What an Open311 client sent about the person reporting. PII: staff only.
struct reporter_contact {
  std::int64_t request_id = 0;
  std::int64_t resident_id = 0;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string phone;
  std::string device_id;
  std::string account_id;
  std::string created_at;
  std::string role{};  ///< "reporter" or "follower" (read only; from request_followers)

  /// True when the client sent none of the details.
  bool empty() const {
    return email.empty() && first_name.empty() && last_name.empty() && phone.empty() &&
           device_id.empty() && account_id.empty();
  }
};
/// Stores the details for (request, resident); a second report by the same resident on the
/// same request replaces the fields it sends and keeps the others.
void save_reporter_contact(SQLite::Database& db, const reporter_contact& contact);
/// The details stored for a request, reporter first, then in the order they were given.
std::vector<reporter_contact> reporter_contacts(SQLite::Database& db, std::int64_t request_id);

/// Records the client's address_id for a request (the first one given stays).
void save_address_id(SQLite::Database& db, std::int64_t request_id, std::string_view address_id);
/// The address_id a client gave for the request; "" when none.
std::string address_id_of(SQLite::Database& db, std::int64_t request_id);

}  // namespace civicline::storage
