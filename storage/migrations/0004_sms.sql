-- 0004: SMS. Replies remember the message they answer, so a provider's retry gets the
-- same answer; queued notifications record how their delivery went; the parts of a
-- multipart SMS wait here until the last one arrives.

ALTER TABLE messages ADD COLUMN in_reply_to INTEGER REFERENCES messages (id);
CREATE INDEX messages_by_reply ON messages (in_reply_to) WHERE in_reply_to IS NOT NULL;

-- '' sends through the configured provider; 'vonage' answers a Vonage webhook in kind.
ALTER TABLE notifications ADD COLUMN via TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN provider_message_id TEXT;
-- The provider's word on delivery (queued, sent, delivered, undelivered, failed, ...).
ALTER TABLE notifications ADD COLUMN delivery_status TEXT;
-- Why the last attempt failed, in words an operator can act on; never the message text.
ALTER TABLE notifications ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
CREATE UNIQUE INDEX notifications_by_provider_message
  ON notifications (provider_message_id) WHERE provider_message_id IS NOT NULL;

CREATE TABLE sms_parts (
  provider TEXT NOT NULL,
  sender TEXT NOT NULL, -- phone number: PII
  reference TEXT NOT NULL,
  total INTEGER NOT NULL CHECK (total BETWEEN 1 AND 255),
  part INTEGER NOT NULL CHECK (part BETWEEN 1 AND total),
  body TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (provider, sender, reference, part)
);
CREATE INDEX sms_parts_by_time ON sms_parts (received_at);
