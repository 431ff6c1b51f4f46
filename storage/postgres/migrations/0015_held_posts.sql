-- Inbound posts held for review by a moderation policy (postgres). Keep in step
-- with storage/sqlite/migrations. raw is the delivered activity (JSON).

CREATE TABLE held_posts (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL,
    raw         TEXT NOT NULL,
    reason      TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX held_posts_uri ON held_posts (uri);
