-- Lists (SQLite). Keep in step with storage/postgres/migrations.
-- A list's timeline is materialised in feed_entries (feed_kind 2, feed_owner
-- the list's ID). Deleting a follow removes the followed account from the
-- follower's lists (done by the store, not by a foreign key).

CREATE TABLE lists (
    id              INTEGER PRIMARY KEY,
    account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    title           TEXT NOT NULL,
    replies_policy  TEXT NOT NULL DEFAULT 'list',
    exclusive       BOOLEAN NOT NULL DEFAULT 0,
    created_at      DATETIME NOT NULL,
    updated_at      DATETIME NOT NULL
);
CREATE INDEX lists_account ON lists (account_id, id);

CREATE TABLE list_accounts (
    list_id     INTEGER NOT NULL REFERENCES lists (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL,
    PRIMARY KEY (list_id, account_id)
);
CREATE INDEX list_accounts_account ON list_accounts (account_id, list_id);
