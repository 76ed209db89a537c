-- 0001: the foundation. Only what the diagnostics endpoint needs: it writes a
-- probe row through the writer, waits for the acknowledgement, and reads it
-- back (also after a restart) to prove acknowledged writes are durable.
-- Keep SQL portable (PostgreSQL may run the same schema later): no
-- SQLite-only types or clauses.

CREATE TABLE write_probes (
  id INTEGER PRIMARY KEY,
  probe_key TEXT NOT NULL UNIQUE,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL -- UTC, ISO 8601
);
