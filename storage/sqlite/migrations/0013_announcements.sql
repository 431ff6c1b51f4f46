-- Announcements (SQLite). Keep in step with storage/postgres/migrations.
-- version counts the changes of an announcement, announced_version the last
-- one streamed;
-- a deleted announcement keeps its row (deleted_at set) until its deletion is
-- streamed (storage.Announcements.ClaimEvents), which removes it.

CREATE TABLE announcements (
    id            INTEGER PRIMARY KEY,
    text          TEXT NOT NULL,
    starts_at     DATETIME,
    ends_at       DATETIME,
    all_day       BOOLEAN NOT NULL DEFAULT 0,
    published     BOOLEAN NOT NULL DEFAULT 0,
    published_at  DATETIME,
    version            INTEGER NOT NULL DEFAULT 1,
    announced_version  INTEGER NOT NULL DEFAULT 0,
    deleted_at    DATETIME,
    created_at    DATETIME NOT NULL,
    updated_at    DATETIME NOT NULL
);
CREATE INDEX announcements_published ON announcements (published, id) WHERE deleted_at IS NULL;

CREATE TABLE announcement_reactions (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    created_at       DATETIME NOT NULL,
    PRIMARY KEY (announcement_id, account_id, name)
);
CREATE INDEX announcement_reactions_name ON announcement_reactions (announcement_id, name);

CREATE TABLE announcement_dismissals (
    announcement_id  INTEGER NOT NULL REFERENCES announcements (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       DATETIME NOT NULL,
    PRIMARY KEY (account_id, announcement_id)
);
