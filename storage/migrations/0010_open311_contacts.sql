-- 0011: what Open311 clients send beyond the request itself.
-- reporter_contacts: the contact details a client gives with a report (e-mail, names,
-- phone, device and account ids). PII: read only by the staff request detail, never by a
-- public route, an export or a webhook. One row per request and resident (the reporter,
-- or a follower whose report was a duplicate).
-- request_address_ids: the client's address_id (an id in the city's address register),
-- returned as given by GET requests.
-- request_history_by_time: servicerequestupdates.xml reads history by time across all
-- requests; without it that query scans the whole history.

CREATE TABLE reporter_contacts (
  request_id INTEGER NOT NULL REFERENCES service_requests (id),
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  email TEXT NOT NULL DEFAULT '',
  first_name TEXT NOT NULL DEFAULT '',
  last_name TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  device_id TEXT NOT NULL DEFAULT '',
  account_id TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL,
  PRIMARY KEY (request_id, resident_id)
);

CREATE TABLE request_address_ids (
  request_id INTEGER PRIMARY KEY REFERENCES service_requests (id),
  address_id TEXT NOT NULL
);

CREATE INDEX request_history_by_time ON request_history (at);
