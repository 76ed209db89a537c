-- 0012: duplicate_of references service_requests (tracking_id), and SQLite checks a parent
-- key's children whenever the key is written: the UPDATE that gives each new request its
-- tracking id read the whole table for requests that were duplicates of it (with a few
-- thousand requests, most of the cost of logging one). With this index the check is one
-- look-up.

CREATE INDEX service_requests_by_duplicate_of
  ON service_requests (duplicate_of) WHERE duplicate_of IS NOT NULL;
