-- Media attachments (SQLite). Keep in step with storage/postgres/migrations.
-- The files live in blob storage (package media) under file_key and
-- preview_key; status_id is NULL until the attachment is attached. Deleting a
-- status detaches its media (kept for delete-and-redraft; the unattached-media
-- sweep removes them later).

CREATE TABLE media_attachments (
    id                INTEGER PRIMARY KEY,
    account_id        INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id         INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    type              TEXT NOT NULL DEFAULT 'unknown',
    state             TEXT NOT NULL DEFAULT 'processing',
    file_key          TEXT NOT NULL DEFAULT '',
    preview_key       TEXT NOT NULL DEFAULT '',
    content_type      TEXT NOT NULL DEFAULT '',
    size              INTEGER NOT NULL DEFAULT 0,
    remote_url        TEXT NOT NULL DEFAULT '',
    description       TEXT NOT NULL DEFAULT '',
    focus_x           REAL NOT NULL DEFAULT 0,
    focus_y           REAL NOT NULL DEFAULT 0,
    blurhash          TEXT NOT NULL DEFAULT '',
    meta              TEXT NOT NULL DEFAULT '{}',
    processing_error  TEXT NOT NULL DEFAULT '',
    created_at        DATETIME NOT NULL,
    updated_at        DATETIME NOT NULL
);
CREATE INDEX media_attachments_account ON media_attachments (account_id, id);
CREATE INDEX media_attachments_status ON media_attachments (status_id, id) WHERE status_id IS NOT NULL;
CREATE INDEX media_attachments_unattached ON media_attachments (created_at, id) WHERE status_id IS NULL;
CREATE INDEX media_attachments_remote_cached ON media_attachments (created_at, id)
    WHERE remote_url <> '' AND (file_key <> '' OR preview_key <> '');
