-- 0003: finding an open request near a reported point (duplicate detection by
-- coordinates). The lookup is a lat/lon box per category; the exact distance is
-- computed by the caller.

CREATE INDEX service_requests_near_lookup ON service_requests (category, lat, lon);
