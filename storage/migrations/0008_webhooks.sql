-- 0008: partner webhooks — subscriptions, one delivery row per (subscription, outbox
-- event), and a log of every attempt. Fan-out from the outbox and the cursor advance commit
-- in one transaction, so an event is either fanned out to every matching subscription or
-- to none, and never twice.

CREATE TABLE webhook_subscriptions (
  id INTEGER PRIMARY KEY,
  url TEXT NOT NULL,
  event_types_json TEXT NOT NULL, -- JSON array of patterns: "request.*", "request.status_changed"
  categories_json TEXT NOT NULL DEFAULT '[]', -- JSON array of category codes; [] = all
  description TEXT NOT NULL DEFAULT '',
  include_pii INTEGER NOT NULL DEFAULT 0 CHECK (include_pii IN (0, 1)),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  disabled_reason TEXT NOT NULL DEFAULT '',
  secret TEXT NOT NULL, -- "whsec_..."; needed in clear to sign
  previous_secret TEXT, -- still signs until previous_secret_expires_at (rotation)
  previous_secret_expires_at TEXT,
  -- Only events with a larger outbox id reach the subscription: it hears what happened
  -- after it was created, never the history before.
  after_event INTEGER NOT NULL,
  failing_since TEXT, -- first failed attempt of the current run of failures; NULL when healthy
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
  event_id INTEGER NOT NULL REFERENCES outbox_events (id),
  ordering_key TEXT NOT NULL, -- the request's tracking id ('' when the event has none)
  status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at TEXT NOT NULL,
  last_status_code INTEGER, -- NULL until a response arrived
  last_error TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_deliveries_due
  ON webhook_deliveries (subscription_id, status, next_attempt_at, id);
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_by_status ON webhook_deliveries (status, created_at);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY,
  delivery_id INTEGER NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempted_at TEXT NOT NULL,
  status_code INTEGER, -- NULL when no response arrived
  latency_ms INTEGER NOT NULL,
  response_excerpt TEXT NOT NULL DEFAULT '', -- first 1 KiB of the response body
  error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, id);

-- How far the fan-out has read the outbox; one row. Starts at the current end, so turning
-- webhooks on never replays history.
CREATE TABLE webhook_fanout (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  last_event INTEGER NOT NULL
);
INSERT INTO webhook_fanout (id, last_event) SELECT 1, COALESCE(MAX(id), 0) FROM outbox_events;
