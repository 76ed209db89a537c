-- A city's year of 311 requests for the public-data benchmark: @count rows (the runner
-- substitutes it) created uniformly over the last 365 days, with a realistic mix of categories
-- (their SLA hours as in config/civicline.json) and channels, closed after a time that scales
-- with the category's SLA (about half on time), some still open, each close with a history row
-- (a third carry a public note). The columns the status changes keep (closed_at, close_ms,
-- first_ack_at, ack_ms) are filled by the same arithmetic as storage/requests.cpp.
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
CREATE TEMP TABLE mix (code TEXT, sla INTEGER, upto INTEGER);  -- cumulative percent
INSERT INTO mix VALUES ('pothole', 72, 22), ('streetlight', 120, 34), ('graffiti', 120, 44),
  ('missed_trash_pickup', 48, 64), ('bulky_item_pickup', 168, 74), ('illegal_dumping', 120, 84),
  ('abandoned_vehicle', 240, 90), ('water_leak', 24, 94), ('sewer_drain', 72, 97), ('other', 120, 100);
CREATE TEMP TABLE streets (k INTEGER PRIMARY KEY, name TEXT);
INSERT INTO streets VALUES (0, 'N Center St'), (1, 'W Main St'), (2, 'E University Dr'),
  (3, 'S Mesa Dr'), (4, 'N Alma School Rd'), (5, 'E Broadway Rd'), (6, 'W Southern Ave'),
  (7, 'N Country Club Dr'), (8, 'E Brown Rd'), (9, 'S Dobson Rd');
CREATE TEMP TABLE generated AS
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count),
draws AS MATERIALIZED (  -- once: random() must not be re-drawn per reference
  SELECT i, abs(random()) % 100 AS pick, abs(random()) % 100 AS via,
    abs(random()) % 31536000 AS age_s, (abs(random()) % 10000) / 10000.0 AS u,
    abs(random()) % 100 AS never, 1800 + abs(random()) % 84600 AS ack_s,
    abs(random()) % 9900 + 100 AS house, abs(random()) % 10 AS street,
    (abs(random()) % 200000) / 1000000.0 AS dlat, (abs(random()) % 200000) / 1000000.0 AS dlon
  FROM n)
SELECT i, (SELECT code FROM mix WHERE upto > pick ORDER BY upto LIMIT 1) AS category,
  (SELECT sla FROM mix WHERE upto > pick ORDER BY upto LIMIT 1) AS sla,
  CASE WHEN via < 45 THEN 'sms' WHEN via < 70 THEN 'web_chat' WHEN via < 85 THEN 'open311'
    ELSE 'staff' END AS channel,
  julianday('now') - age_s / 86400.0 AS created_jd,
  never, ack_s, u, house, street, dlat, dlon
FROM draws;
INSERT INTO service_requests (id, tracking_id, category, status, location_text, location_key, lat, lon,
  description, channel, language, created_at, updated_at, due_at, closed_at, close_ms, first_ack_at, ack_ms)
SELECT i, printf('311-%07d', i), category,
  CASE WHEN closed_jd IS NULL THEN 'in_progress' ELSE 'resolved' END,
  house || ' ' || s.name, house || ' ' || lower(s.name), 33.35 + dlat, -111.95 + dlon,
  'generated', channel, 'en', created, COALESCE(closed, created),
  strftime('%Y-%m-%dT%H:%M:%fZ', created_jd + sla / 24.0),
  closed, CASE WHEN closed_jd IS NULL THEN NULL ELSE CAST(ROUND((closed_jd - created_jd) * 86400000) AS INTEGER) END,
  CASE WHEN ack_jd < julianday('now') THEN strftime('%Y-%m-%dT%H:%M:%fZ', ack_jd) END,
  CASE WHEN ack_jd < julianday('now') THEN ack_s * 1000 END
FROM (
  SELECT t.*, strftime('%Y-%m-%dT%H:%M:%fZ', closed_jd) AS closed FROM (
    SELECT g.*, strftime('%Y-%m-%dT%H:%M:%fZ', created_jd) AS created,
      created_jd + ack_s / 86400.0 AS ack_jd,
      CASE WHEN never >= 3 AND created_jd + sla * (0.1 + 3 * u * u) / 24.0 < julianday('now')
        THEN created_jd + sla * (0.1 + 3 * u * u) / 24.0 END AS closed_jd
    FROM generated g) AS t) AS r
JOIN streets s ON s.k = r.street;
INSERT INTO request_history (request_id, at, actor_kind, actor_id, field, old_value, new_value,
  public_note, internal_note)
SELECT id, closed_at, 'staff', 'crew', 'status', 'in_progress', 'resolved',
  CASE WHEN id % 3 = 0 THEN 'Crew finished the work.' ELSE '' END, ''
FROM service_requests WHERE closed_at IS NOT NULL;
COMMIT;
