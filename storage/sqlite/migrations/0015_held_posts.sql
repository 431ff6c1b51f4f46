-- Inbound posts held for review by a moderation policy (sqlite). Keep in step
-- with storage/postgres/migrations. raw is the delivered activity (JSON).

CREATE TABLE held_posts (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    raw         TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX held_posts_uri ON held_posts (uri);
