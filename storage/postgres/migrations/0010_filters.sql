-- Keyword filters (PostgreSQL). Keep in step with storage/sqlite/migrations.
-- A filter (Mastodon's v2 filter) has keywords and statuses; context is a
-- JSON array of contexts (home, notifications, public, thread, account).

CREATE TABLE filters (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title       TEXT NOT NULL DEFAULT '',
    context     TEXT NOT NULL DEFAULT '[]',
    action      TEXT NOT NULL DEFAULT 'warn',
    expires_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX filters_account ON filters (account_id, id);

CREATE TABLE filter_keywords (
    id          BIGINT PRIMARY KEY,
    filter_id   BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    keyword     TEXT NOT NULL,
    whole_word  BOOLEAN NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX filter_keywords_filter ON filter_keywords (filter_id, id);

CREATE TABLE filter_statuses (
    id          BIGINT PRIMARY KEY,
    filter_id   BIGINT NOT NULL REFERENCES filters (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX filter_statuses_pair ON filter_statuses (filter_id, status_id);
CREATE INDEX filter_statuses_status ON filter_statuses (status_id);
