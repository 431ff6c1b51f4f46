-- Ids of inbound activities already processed (inbox idempotency). Keep in step with postgres.
CREATE TABLE inbox_log (
    activity_id   TEXT PRIMARY KEY,
    processed_at  DATETIME NOT NULL
);
CREATE INDEX inbox_log_processed_at ON inbox_log (processed_at);
