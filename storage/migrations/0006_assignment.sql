-- 0006: who works on a request, and an audit trail of administrative changes.
-- A request lands in its category's team queue (config "teams"/"categories[].team"); staff
-- may assign it to one of them and set its priority. Changes to requests are audited in
-- request_history; changes to accounts and keys (which have no request) in audit_log.

ALTER TABLE service_requests ADD COLUMN team TEXT NOT NULL DEFAULT ''; -- '' = no team
ALTER TABLE service_requests ADD COLUMN assignee_id INTEGER REFERENCES staff_users (id);
ALTER TABLE service_requests ADD COLUMN priority TEXT NOT NULL DEFAULT 'normal'
  CHECK (priority IN ('low', 'normal', 'high', 'urgent'));

CREATE INDEX service_requests_by_team ON service_requests (team, status, created_at);
CREATE INDEX service_requests_by_assignee ON service_requests (assignee_id, status, created_at);

CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('staff', 'partner', 'system')),
  actor_id TEXT NOT NULL, -- user name, "key:<name>", or "civicline" for the CLI
  action TEXT NOT NULL, -- "user.created", "api_key.revoked", ...
  target TEXT NOT NULL, -- what was changed: "user:ana", "api_key:12"
  detail_json TEXT NOT NULL DEFAULT '{}' -- never a secret
);
CREATE INDEX audit_log_by_time ON audit_log (at);
