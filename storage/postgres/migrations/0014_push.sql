-- Web Push subscriptions and shared server settings (postgres). Keep in step with
-- storage/sqlite/migrations.
-- A subscription belongs to one access token (as in Mastodon) and goes with
-- it; settings hold values every process shares, such as the VAPID key pair.

CREATE TABLE push_subscriptions (
    id          BIGINT PRIMARY KEY,
    token_id    BIGINT NOT NULL REFERENCES oauth_tokens (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    endpoint    TEXT NOT NULL,
    key_p256dh  TEXT NOT NULL,
    key_auth    TEXT NOT NULL,
    alerts      TEXT NOT NULL DEFAULT '{}',
    policy      TEXT NOT NULL DEFAULT 'all',
    standard    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX push_subscriptions_token ON push_subscriptions (token_id);
CREATE INDEX push_subscriptions_account ON push_subscriptions (account_id);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
