-- 0011: the duplicate lookup by address reads the newest open request at one place.
-- With status before created_at in the index, "status IN (open ones) ... ORDER BY created_at
-- DESC LIMIT 1" had to sort the matches of every status (a temporary B-tree on each inbound
-- report); with created_at right after the place, the newest comes first and the status is
-- checked on the few rows read.

DROP INDEX service_requests_duplicate_lookup;
CREATE INDEX service_requests_duplicate_lookup
  ON service_requests (category, location_key, created_at);
