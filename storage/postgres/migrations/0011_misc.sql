-- What accounts keep for themselves (PostgreSQL): scheduled statuses,
-- direct conversations and thread mutes, read markers, private notes,
-- endorsements, featured and followed hashtags. Keep in step with storage/sqlite/migrations.

CREATE TABLE scheduled_statuses (
    id            BIGINT PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    scheduled_at  TIMESTAMPTZ NOT NULL,
    params        TEXT NOT NULL DEFAULT '{}',
    media_ids     TEXT NOT NULL DEFAULT '[]',
    status_id     BIGINT,
    claimed_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX scheduled_statuses_account ON scheduled_statuses (account_id, id);
CREATE INDEX scheduled_statuses_due ON scheduled_statuses (scheduled_at);

-- Media reserved by a scheduled status (status_id stays NULL until it is
-- published): the unattached-media sweep leaves them alone.
ALTER TABLE media_attachments ADD COLUMN scheduled_status_id BIGINT REFERENCES scheduled_statuses (id) ON DELETE SET NULL;
CREATE INDEX media_attachments_scheduled ON media_attachments (scheduled_status_id) WHERE scheduled_status_id IS NOT NULL;

CREATE TABLE conversations (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id  BIGINT NOT NULL,
    participant_ids  TEXT NOT NULL DEFAULT '[]',
    status_ids       TEXT NOT NULL DEFAULT '[]',
    last_status_id   BIGINT NOT NULL,
    unread           BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX conversations_pair ON conversations (account_id, conversation_id);
CREATE INDEX conversations_account_last ON conversations (account_id, last_status_id);
CREATE INDEX conversations_thread ON conversations (conversation_id);

CREATE TABLE conversation_mutes (
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    conversation_id  BIGINT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, conversation_id)
);

CREATE TABLE markers (
    account_id    BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    timeline      TEXT NOT NULL,
    last_read_id  BIGINT NOT NULL DEFAULT 0,
    version       BIGINT NOT NULL DEFAULT 0,
    updated_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, timeline)
);
-- Markers kept in accounts.extra (key "herd:markers") before this table.
INSERT INTO markers (account_id, timeline, last_read_id, version, updated_at)
SELECT a.id, m.key,
       COALESCE(NULLIF(m.value->>'last_read_id', ''), '0')::BIGINT,
       COALESCE(NULLIF(m.value->>'version', ''), '0')::BIGINT,
       COALESCE((m.value->>'updated_at')::TIMESTAMPTZ, now())
FROM accounts a, jsonb_each(a.extra::jsonb -> 'herd:markers') m
WHERE jsonb_typeof(a.extra::jsonb -> 'herd:markers') = 'object'
  AND m.key IN ('home', 'notifications') AND jsonb_typeof(m.value) = 'object';

CREATE TABLE account_notes (
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    comment            TEXT NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);

CREATE TABLE endorsements (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX endorsements_pair ON endorsements (account_id, target_account_id);

CREATE TABLE featured_tags (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX featured_tags_pair ON featured_tags (account_id, name);

CREATE TABLE followed_tags (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX followed_tags_pair ON followed_tags (account_id, name);
CREATE INDEX followed_tags_name ON followed_tags (name);
