-- Web Push subscriptions and shared server settings (sqlite). Keep in step with
-- storage/postgres/migrations.
-- A subscription belongs to one access token (as in Mastodon) and goes with
-- it; settings hold values every process shares, such as the VAPID key pair.

CREATE TABLE push_subscriptions (
    id          INTEGER PRIMARY KEY,
    token_id    INTEGER NOT NULL REFERENCES oauth_tokens (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL,
    key_p256dh  TEXT NOT NULL,
    key_auth    TEXT NOT NULL,
    alerts      TEXT NOT NULL DEFAULT '{}',
    policy      TEXT NOT NULL DEFAULT 'all',
    standard    BOOLEAN NOT NULL DEFAULT 0,
    created_at  DATETIME NOT NULL,
    updated_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX push_subscriptions_token ON push_subscriptions (token_id);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
