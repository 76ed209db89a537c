-- 0002: residents and their conversations and messages, service requests with
-- their followers and history, the outbox of events, notifications to
-- residents and handoffs to staff.
-- Portable SQL (PostgreSQL may run it later): INTEGER PRIMARY KEY ids, times as
-- TEXT ISO 8601 UTC with milliseconds ("2026-11-28T13:45:00.000Z", so text order
-- is time order), enumerations as CHECK constraints, JSON as TEXT.

CREATE TABLE residents (
  id INTEGER PRIMARY KEY,
  channel TEXT NOT NULL
    CHECK (channel IN ('sms', 'web_chat', 'open311', 'staff', 'terminal')),
  address TEXT NOT NULL, -- phone number or session id: PII, never in public output
  language TEXT NOT NULL,
  opted_out_at TEXT, -- NULL while subscribed
  created_at TEXT NOT NULL,
  UNIQUE (channel, address)
);

-- One dialog state per resident, overwritten on every turn.
CREATE TABLE conversations (
  resident_id INTEGER PRIMARY KEY REFERENCES residents (id),
  state_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE service_requests (
  id INTEGER PRIMARY KEY,
  -- Set in the same write as the INSERT, from the row id; NULL only inside it.
  tracking_id TEXT UNIQUE,
  category TEXT NOT NULL,
  status TEXT NOT NULL
    CHECK (status IN ('new', 'acknowledged', 'in_progress', 'resolved', 'closed',
                      'duplicate', 'rejected', 'reopened')),
  duplicate_of TEXT REFERENCES service_requests (tracking_id),
  location_text TEXT NOT NULL,
  location_key TEXT NOT NULL, -- normalized address, for duplicate lookup
  lat DOUBLE PRECISION, -- REAL would be 4 bytes in PostgreSQL
  lon DOUBLE PRECISION,
  description TEXT NOT NULL,
  attributes_json TEXT NOT NULL DEFAULT '{}',
  media_urls_json TEXT NOT NULL DEFAULT '[]',
  channel TEXT NOT NULL
    CHECK (channel IN ('sms', 'web_chat', 'open311', 'staff', 'terminal')),
  language TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  due_at TEXT -- SLA; NULL when the category has none
);
CREATE INDEX service_requests_duplicate_lookup
  ON service_requests (category, location_key, status, created_at);
CREATE INDEX service_requests_by_status_due ON service_requests (status, due_at);

-- The reporter and every resident who joined a request; each is notified of
-- public changes.
CREATE TABLE request_followers (
  request_id INTEGER NOT NULL REFERENCES service_requests (id),
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  role TEXT NOT NULL CHECK (role IN ('reporter', 'follower')),
  created_at TEXT NOT NULL,
  PRIMARY KEY (request_id, resident_id)
);
CREATE INDEX request_followers_by_resident ON request_followers (resident_id, request_id);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  direction TEXT NOT NULL CHECK (direction IN ('in', 'out')),
  body TEXT NOT NULL,
  external_id TEXT NOT NULL DEFAULT '', -- provider message id; '' when none
  request_id INTEGER REFERENCES service_requests (id),
  created_at TEXT NOT NULL
);
CREATE INDEX messages_by_resident_time ON messages (resident_id, created_at);
-- A provider that retries a webhook sends the same message id again.
CREATE UNIQUE INDEX messages_external_id
  ON messages (resident_id, direction, external_id) WHERE external_id <> '';

CREATE TABLE request_history (
  id INTEGER PRIMARY KEY,
  request_id INTEGER NOT NULL REFERENCES service_requests (id),
  at TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('resident', 'staff', 'partner', 'system')),
  actor_id TEXT NOT NULL,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL,
  public_note TEXT NOT NULL,
  internal_note TEXT NOT NULL
);
CREATE INDEX request_history_by_request ON request_history (request_id, at);

-- Written in the same transaction as the change it announces; read in id order
-- by the dispatcher.
CREATE TABLE outbox_events (
  id INTEGER PRIMARY KEY,
  event_id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  payload_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);

CREATE TABLE notifications (
  id INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  request_id INTEGER REFERENCES service_requests (id),
  body TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed', 'suppressed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  created_at TEXT NOT NULL,
  next_attempt_at TEXT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_by_resident ON notifications (resident_id, status);

CREATE TABLE handoffs (
  id INTEGER PRIMARY KEY,
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  reason TEXT NOT NULL CHECK (reason IN ('asked', 'not_understood', 'emergency')),
  status TEXT NOT NULL CHECK (status IN ('waiting', 'answered', 'closed')),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
-- At most one handoff per resident waits for staff at a time.
CREATE UNIQUE INDEX handoffs_one_waiting ON handoffs (resident_id) WHERE status = 'waiting';
CREATE INDEX handoffs_by_status ON handoffs (status, created_at);
