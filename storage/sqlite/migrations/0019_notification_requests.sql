-- Notification policy and requests (sqlite). Keep in step with the other backend.
-- A notification the recipient's policy filters is stored with filtered set:
-- it is left out of the notification list until its request is accepted.

ALTER TABLE notifications ADD COLUMN filtered BOOLEAN NOT NULL DEFAULT 0;
CREATE INDEX notifications_filtered ON notifications (account_id, from_account_id) WHERE filtered;

-- One row per user who changed the defaults; values are accept, filter or drop.
CREATE TABLE notification_policies (
    account_id            INTEGER PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    for_not_following     TEXT NOT NULL DEFAULT 'accept',
    for_not_followers     TEXT NOT NULL DEFAULT 'accept',
    for_new_accounts      TEXT NOT NULL DEFAULT 'accept',
    for_private_mentions  TEXT NOT NULL DEFAULT 'filter',
    for_limited_accounts  TEXT NOT NULL DEFAULT 'filter',
    updated_at            DATETIME NOT NULL
);

-- The filtered notifications of one sender to one recipient.
CREATE TABLE notification_requests (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_status_id   INTEGER REFERENCES statuses (id) ON DELETE SET NULL,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX notification_requests_pair ON notification_requests (account_id, from_account_id);

-- Senders whose request the recipient accepted: never filtered again.
CREATE TABLE notification_permissions (
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       DATETIME NOT NULL,
    PRIMARY KEY (account_id, from_account_id)
);
