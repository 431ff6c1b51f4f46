-- Notification policy and requests (postgres). Keep in step with the other backend.
-- A notification the recipient's policy filters is stored with filtered set:
-- it is left out of the notification list until its request is accepted.

ALTER TABLE notifications ADD COLUMN filtered BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX notifications_filtered ON notifications (account_id, from_account_id) WHERE filtered;

-- One row per user who changed the defaults; values are accept, filter or drop.
CREATE TABLE notification_policies (
    account_id            BIGINT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    for_not_following     TEXT NOT NULL DEFAULT 'accept',
    for_not_followers     TEXT NOT NULL DEFAULT 'accept',
    for_new_accounts      TEXT NOT NULL DEFAULT 'accept',
    for_private_mentions  TEXT NOT NULL DEFAULT 'filter',
    for_limited_accounts  TEXT NOT NULL DEFAULT 'filter',
    updated_at            TIMESTAMPTZ NOT NULL
);

-- The filtered notifications of one sender to one recipient.
CREATE TABLE notification_requests (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    last_status_id   BIGINT REFERENCES statuses (id) ON DELETE SET NULL,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX notification_requests_pair ON notification_requests (account_id, from_account_id);

-- Senders whose request the recipient accepted: never filtered again.
CREATE TABLE notification_permissions (
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, from_account_id)
);
