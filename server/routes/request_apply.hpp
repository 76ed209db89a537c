#pragma once
// Applies a checked request change inside a write job: field edits first, then the status
// change, all or nothing. Shared by PATCH /api/v1/requests/{id} and the bulk endpoint.

#include <SQLiteCpp/Database.h>

#include <stdexcept>
#include <string>

#include "config/settings.hpp"
#include "core/reply_templates.hpp"
#include "core/service_request.hpp"
#include "server/routes/request_changes.hpp"

namespace civicline::server {

/// Thrown inside the write job so its savepoint rolls back whatever the change wrote before
/// it was refused; carries the HTTP status (404, 409, 422) and the message for the caller.
class change_refused : public std::runtime_error {
 public:
  change_refused(int status, std::string id, std::string message)
      : std::runtime_error(message), status_(status), id_(std::move(id)) {}
  int status() const { return status_; }
  const std::string& id() const { return id_; }

 private:
  int status_;
  std::string id_;
};

struct applied_change {
  int notified = 0;  ///< followers queued a status message
};

/// Applies `patch` to the request with tracking id `id`; throws change_refused (unknown id
/// 404, unknown category/team/user/priority 422, a transition the lifecycle refuses 409).
applied_change apply_request_patch(SQLite::Database& db, const std::string& id,
                                   const request_patch& patch, const core::actor& by,
                                   const config::settings& settings,
                                   const core::reply_templates& templates, core::time_point now);

}  // namespace civicline::server
