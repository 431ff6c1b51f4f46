-- Durable queue of outgoing ActivityPub deliveries (PostgreSQL). Keep in step with sqlite.
CREATE TABLE delivery_activities (
    id          BIGINT PRIMARY KEY,
    uri         TEXT NOT NULL DEFAULT '',
    signer_id   BIGINT,
    body        BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE deliveries (
    id               BIGINT PRIMARY KEY,
    activity_id      BIGINT NOT NULL REFERENCES delivery_activities (id) ON DELETE CASCADE,
    inbox            TEXT NOT NULL,
    host             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TIMESTAMPTZ NOT NULL,
    locked_until     TIMESTAMPTZ,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id);
CREATE INDEX deliveries_host ON deliveries (host);
CREATE INDEX deliveries_activity ON deliveries (activity_id);
