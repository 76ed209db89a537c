-- 0010: photos residents attach in the web chat. The files live in an "attachments" directory
-- next to the database, under names the server makes (never a client's); a row says whose a
-- photo is (only that visitor may attach it to a message) and whether a public thumbnail (a
-- re-encoded, EXIF-free JPEG) exists. A request holds its photos' staff URLs in
-- media_urls_json, like MMS media.

CREATE TABLE attachments (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE, -- "att_" + 32 hex digits, given to the visitor
  resident_id INTEGER NOT NULL REFERENCES residents (id),
  media_type TEXT NOT NULL CHECK (media_type IN ('image/jpeg', 'image/png', 'image/heic')),
  byte_size INTEGER NOT NULL CHECK (byte_size > 0),
  file_name TEXT NOT NULL,
  thumbnail_name TEXT, -- NULL when there is none (HEIC)
  created_at TEXT NOT NULL
);
CREATE INDEX attachments_by_resident ON attachments (resident_id, id);
