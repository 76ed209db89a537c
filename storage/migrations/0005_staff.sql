-- 0005: staff accounts, their login sessions, API keys for integrations, and failed logins.
-- Secrets never sit here in a usable form: passwords as Argon2id strings (libsodium's
-- crypto_pwhash_str, which carries its own salt and cost), session tokens and API keys as a
-- BLAKE2b-256 hex digest. Tokens and keys are 256 random bits, so a fast hash is enough
-- (nobody can guess a preimage) and lets a request find its row by an index lookup; slow,
-- salted hashing is for what people choose: passwords.

CREATE TABLE staff_users (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  password_hash TEXT NOT NULL, -- "$argon2id$v=19$m=...,t=...,p=1$salt$hash"
  created_at TEXT NOT NULL,
  disabled_at TEXT -- NULL while the account may log in
);

CREATE TABLE staff_sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE, -- digest of the cookie value
  user_id INTEGER NOT NULL REFERENCES staff_users (id),
  csrf_token TEXT NOT NULL, -- worthless without the cookie; sent back in X-CSRF-Token
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL, -- for the idle timeout
  expires_at TEXT NOT NULL -- the absolute end, however busy the session
);
CREATE INDEX staff_sessions_by_user ON staff_sessions (user_id);
CREATE INDEX staff_sessions_by_expiry ON staff_sessions (expires_at);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('staff', 'partner', 'admin')),
  key_hash TEXT NOT NULL UNIQUE, -- digest of the whole key
  prefix TEXT NOT NULL, -- the key's first characters, to tell keys apart in lists
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT -- NULL while the key works
);

-- Per login name, known or not (so a lock says nothing about which names exist).
CREATE TABLE login_failures (
  name TEXT PRIMARY KEY,
  failures INTEGER NOT NULL CHECK (failures >= 0),
  last_failure_at TEXT NOT NULL,
  locked_until TEXT -- NULL unless locked
);
CREATE INDEX login_failures_by_time ON login_failures (last_failure_at);

-- The staff queue sorts by creation and by last change, and pages through either.
CREATE INDEX service_requests_by_created ON service_requests (created_at, id);
CREATE INDEX service_requests_by_updated ON service_requests (updated_at, id);
