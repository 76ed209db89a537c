-- 0007: the public progress dashboard and the open-data export.
--
-- Each request carries when it was closed and when staff first acted on it, kept up to date by
-- update_request_status (storage/requests.cpp), with the durations in milliseconds so the
-- public summary reads them from an index without parsing a single timestamp.
--
-- Which close counts: the LAST one. A request is closed while its status is resolved, closed,
-- duplicate or rejected; reopening it clears closed_at and close_ms (it is open again and ages
-- in the backlog from its creation), and closing it again sets them to the new close. So a
-- reopened request's time to close runs from its creation to its final close. Moving between
-- closed statuses (resolved -> closed) keeps the time it was first closed: the work was done then.
-- first_ack_at is the first status change of any kind away from "new"; it is never cleared.

ALTER TABLE service_requests ADD COLUMN closed_at TEXT;      -- NULL while open
ALTER TABLE service_requests ADD COLUMN close_ms INTEGER;    -- closed_at - created_at
ALTER TABLE service_requests ADD COLUMN first_ack_at TEXT;   -- NULL until staff first act
ALTER TABLE service_requests ADD COLUMN ack_ms INTEGER;      -- first_ack_at - created_at

-- Requests that changed before this migration: derive both from their history.
UPDATE service_requests SET
  first_ack_at = (SELECT MIN(h.at) FROM request_history h
                  WHERE h.request_id = service_requests.id AND h.field = 'status'),
  closed_at = CASE WHEN status IN ('resolved', 'closed', 'duplicate', 'rejected') THEN
                -- the last change from an open status into a closed one
                COALESCE((SELECT MAX(h.at) FROM request_history h
                          WHERE h.request_id = service_requests.id AND h.field = 'status'
                            AND h.old_value IN ('new', 'acknowledged', 'in_progress', 'reopened')),
                         updated_at)
              END;
UPDATE service_requests SET
  close_ms = CAST(ROUND((julianday(closed_at) - julianday(created_at)) * 86400000) AS INTEGER),
  ack_ms = CAST(ROUND((julianday(first_ack_at) - julianday(created_at)) * 86400000) AS INTEGER);

-- Covering indexes: the summary's range scans never touch the table.
CREATE INDEX service_requests_public_received
  ON service_requests (created_at, category, channel, closed_at, ack_ms);
CREATE INDEX service_requests_public_closed
  ON service_requests (closed_at, category, due_at, close_ms) WHERE closed_at IS NOT NULL;
CREATE INDEX service_requests_public_backlog
  ON service_requests (created_at) WHERE closed_at IS NULL;

-- "What we changed": the city's own words beside the numbers, per language, edited by admins
-- (PUT /api/v1/public/notes). A row here replaces the config's public.notes for its language.
CREATE TABLE public_notes (
  language TEXT PRIMARY KEY,
  body TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  updated_by TEXT NOT NULL -- staff user or API key name
);
