-- Announcements (PostgreSQL). Keep in step with storage/sqlite/migrations.
-- version counts the changes of an announcement, announced_version the last
-- one streamed;
-- a deleted announcement keeps its row (deleted_at set) until its deletion is
-- streamed (storage.Announcements.ClaimEvents), which removes it.

CREATE TABLE announcements (
    id            BIGINT PRIMARY KEY,
    text          TEXT NOT NULL,
    starts_at     TIMESTAMPTZ,
    ends_at       TIMESTAMPTZ,
    all_day       BOOLEAN NOT NULL DEFAULT FALSE,
    published     BOOLEAN NOT NULL DEFAULT FALSE,
    published_at  TIMESTAMPTZ,
    version            BIGINT NOT NULL DEFAULT 1,
    announced_version  BIGINT NOT NULL DEFAULT 0,
    deleted_at    TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX announcements_published ON announcements (published, id) WHERE deleted_at IS NULL;

CREATE TABLE announcement_reactions (
    announcement_id  BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);
CREATE INDEX announcement_reactions_name ON announcement_reactions (announcement_id, name);

CREATE TABLE announcement_dismissals (
    announcement_id  BIGINT NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, announcement_id)
);
