-- Ids of inbound activities already processed (inbox idempotency). Keep in step with sqlite.
CREATE TABLE inbox_log (
    activity_id   TEXT PRIMARY KEY,
    processed_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX inbox_log_processed_at ON inbox_log (processed_at);
