-- Durable queue of outgoing ActivityPub deliveries (SQLite). Keep in step with postgres.
CREATE TABLE delivery_activities (
    id          INTEGER PRIMARY KEY,
    uri         TEXT NOT NULL DEFAULT '',
    signer_id   INTEGER,
    body        BLOB NOT NULL,
    created_at  DATETIME NOT NULL
);

CREATE TABLE deliveries (
    id               INTEGER PRIMARY KEY,
    activity_id      INTEGER NOT NULL REFERENCES delivery_activities (id) ON DELETE CASCADE,
    inbox            TEXT NOT NULL,
    host             TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  DATETIME NOT NULL,
    locked_until     DATETIME,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       DATETIME NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, id);
CREATE INDEX deliveries_host ON deliveries (host);
CREATE INDEX deliveries_activity ON deliveries (activity_id);
