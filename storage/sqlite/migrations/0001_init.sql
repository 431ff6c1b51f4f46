-- Herd schema, version 1 (SQLite). Keep in step with storage/postgres/migrations.
-- Timestamps are DATETIME (UTC), booleans BOOLEAN (stored as 0/1), lists JSON text.

CREATE TABLE accounts (
    id                 INTEGER PRIMARY KEY,
    username           TEXT NOT NULL,
    username_key       TEXT NOT NULL, -- username case-folded by the store, for lookups and uniqueness
    domain             TEXT NOT NULL DEFAULT '',
    display_name       TEXT NOT NULL DEFAULT '',
    note               TEXT NOT NULL DEFAULT '',
    note_source        TEXT NOT NULL DEFAULT '',
    uri                TEXT NOT NULL,
    url                TEXT NOT NULL DEFAULT '',
    inbox_uri          TEXT NOT NULL DEFAULT '',
    outbox_uri         TEXT NOT NULL DEFAULT '',
    shared_inbox_uri   TEXT NOT NULL DEFAULT '',
    followers_uri      TEXT NOT NULL DEFAULT '',
    following_uri      TEXT NOT NULL DEFAULT '',
    featured_uri       TEXT NOT NULL DEFAULT '',
    actor_type         TEXT NOT NULL DEFAULT 'Person',
    public_key_id      TEXT NOT NULL DEFAULT '',
    public_key_pem     TEXT NOT NULL DEFAULT '',
    private_key_pem    TEXT NOT NULL DEFAULT '',
    avatar_url         TEXT NOT NULL DEFAULT '',
    avatar_remote_url  TEXT NOT NULL DEFAULT '',
    header_url         TEXT NOT NULL DEFAULT '',
    header_remote_url  TEXT NOT NULL DEFAULT '',
    fields             TEXT NOT NULL DEFAULT '[]',
    emojis             TEXT NOT NULL DEFAULT '[]',
    also_known_as      TEXT NOT NULL DEFAULT '[]',
    moved_to_id        INTEGER,
    locked             BOOLEAN NOT NULL DEFAULT 0,
    bot                BOOLEAN NOT NULL DEFAULT 0,
    discoverable       BOOLEAN NOT NULL DEFAULT 0,
    indexable          BOOLEAN NOT NULL DEFAULT 0,
    memorial           BOOLEAN NOT NULL DEFAULT 0,
    suspended_at       DATETIME,
    silenced_at        DATETIME,
    sensitized         BOOLEAN NOT NULL DEFAULT 0,
    statuses_count     INTEGER NOT NULL DEFAULT 0,
    followers_count    INTEGER NOT NULL DEFAULT 0,
    following_count    INTEGER NOT NULL DEFAULT 0,
    last_status_at     DATETIME,
    created_at         DATETIME NOT NULL,
    updated_at         DATETIME NOT NULL,
    fetched_at         DATETIME,
    extra              TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (username_key, domain);
CREATE UNIQUE INDEX accounts_uri ON accounts (uri);
CREATE INDEX accounts_domain ON accounts (domain, id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    account_id          INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL, -- email case-folded by the store
    password_hash       TEXT NOT NULL DEFAULT '',
    role                TEXT NOT NULL DEFAULT 'user',
    approved            BOOLEAN NOT NULL DEFAULT 1,
    confirmed_at        DATETIME,
    disabled            BOOLEAN NOT NULL DEFAULT 0,
    locale              TEXT NOT NULL DEFAULT '',
    sign_up_reason      TEXT NOT NULL DEFAULT '',
    default_visibility  TEXT NOT NULL DEFAULT 'public',
    default_sensitive   BOOLEAN NOT NULL DEFAULT 0,
    default_language    TEXT NOT NULL DEFAULT '',
    last_sign_in_at     DATETIME,
    created_at          DATETIME NOT NULL,
    updated_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX users_account ON users (account_id);
CREATE UNIQUE INDEX users_email ON users (email_key);

CREATE TABLE statuses (
    id                      INTEGER PRIMARY KEY,
    uri                     TEXT NOT NULL,
    url                     TEXT NOT NULL DEFAULT '',
    account_id              INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    local                   BOOLEAN NOT NULL DEFAULT 0,
    in_reply_to_id          INTEGER,
    in_reply_to_account_id  INTEGER,
    in_reply_to_uri         TEXT NOT NULL DEFAULT '',
    reblog_of_id            INTEGER,
    quote_of_id             INTEGER,
    conversation_id         INTEGER,
    content                 TEXT NOT NULL DEFAULT '',
    text                    TEXT NOT NULL DEFAULT '',
    spoiler_text            TEXT NOT NULL DEFAULT '',
    sensitive               BOOLEAN NOT NULL DEFAULT 0,
    visibility              TEXT NOT NULL DEFAULT 'public',
    language                TEXT NOT NULL DEFAULT '',
    application_id          INTEGER,
    mentions                TEXT NOT NULL DEFAULT '[]',
    tags                    TEXT NOT NULL DEFAULT '[]',
    emojis                  TEXT NOT NULL DEFAULT '[]',
    media_ids               TEXT NOT NULL DEFAULT '[]',
    poll_id                 INTEGER,
    has_media               BOOLEAN NOT NULL DEFAULT 0,
    replies_count           INTEGER NOT NULL DEFAULT 0,
    reblogs_count           INTEGER NOT NULL DEFAULT 0,
    favourites_count        INTEGER NOT NULL DEFAULT 0,
    created_at              DATETIME NOT NULL,
    edited_at               DATETIME,
    updated_at              DATETIME NOT NULL,
    extra                   TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX statuses_uri ON statuses (uri);
CREATE INDEX statuses_account ON statuses (account_id, id);
CREATE INDEX statuses_in_reply_to ON statuses (in_reply_to_id);
CREATE INDEX statuses_conversation ON statuses (conversation_id);
CREATE INDEX statuses_quote ON statuses (quote_of_id) WHERE quote_of_id IS NOT NULL;
CREATE UNIQUE INDEX statuses_reblog ON statuses (reblog_of_id, account_id) WHERE reblog_of_id IS NOT NULL;
CREATE INDEX statuses_public ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL;
CREATE INDEX statuses_public_local ON statuses (id) WHERE visibility = 'public' AND reblog_of_id IS NULL AND local;

CREATE TABLE status_tags (
    tag        TEXT NOT NULL,
    status_id  INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, status_id)
);
CREATE INDEX status_tags_status ON status_tags (status_id);

CREATE TABLE status_mentions (
    account_id  INTEGER NOT NULL,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX status_mentions_status ON status_mentions (status_id);

CREATE TABLE status_edits (
    id            INTEGER PRIMARY KEY,
    status_id     INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id    INTEGER NOT NULL,
    content       TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    spoiler_text  TEXT NOT NULL DEFAULT '',
    sensitive     BOOLEAN NOT NULL DEFAULT 0,
    media_ids     TEXT NOT NULL DEFAULT '[]',
    emojis        TEXT NOT NULL DEFAULT '[]',
    created_at    DATETIME NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

CREATE TABLE follows (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                TEXT NOT NULL DEFAULT '',
    show_reblogs       BOOLEAN NOT NULL DEFAULT 1,
    notify             BOOLEAN NOT NULL DEFAULT 0,
    languages          TEXT NOT NULL DEFAULT '[]',
    created_at         DATETIME NOT NULL
);
CREATE UNIQUE INDEX follows_pair ON follows (account_id, target_account_id);
CREATE INDEX follows_target ON follows (target_account_id, id);
CREATE INDEX follows_uri ON follows (uri);

CREATE TABLE follow_requests (
    id                 INTEGER PRIMARY KEY,
    account_id         INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                TEXT NOT NULL DEFAULT '',
    show_reblogs       BOOLEAN NOT NULL DEFAULT 1,
    notify             BOOLEAN NOT NULL DEFAULT 0,
    languages          TEXT NOT NULL DEFAULT '[]',
    created_at         DATETIME NOT NULL
);
CREATE UNIQUE INDEX follow_requests_pair ON follow_requests (account_id, target_account_id);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id);
CREATE INDEX follow_requests_uri ON follow_requests (uri);

CREATE TABLE favourites (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX favourites_pair ON favourites (account_id, status_id);
CREATE INDEX favourites_status ON favourites (status_id, id);
CREATE INDEX favourites_account ON favourites (account_id, id);
CREATE INDEX favourites_uri ON favourites (uri);

CREATE TABLE bookmarks (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX bookmarks_pair ON bookmarks (account_id, status_id);
CREATE INDEX bookmarks_account ON bookmarks (account_id, id);
CREATE INDEX bookmarks_status ON bookmarks (status_id);

CREATE TABLE pins (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX pins_pair ON pins (account_id, status_id);
CREATE INDEX pins_status ON pins (status_id);

CREATE TABLE notifications (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type             TEXT NOT NULL,
    status_id        INTEGER REFERENCES statuses (id) ON DELETE CASCADE,
    group_key        TEXT NOT NULL DEFAULT '',
    extra            TEXT NOT NULL DEFAULT '{}',
    created_at       DATETIME NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_status ON notifications (status_id);
CREATE INDEX notifications_from ON notifications (from_account_id);

CREATE TABLE oauth_applications (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    website             TEXT NOT NULL DEFAULT '',
    redirect_uris       TEXT NOT NULL DEFAULT '[]',
    scopes              TEXT NOT NULL DEFAULT '[]',
    client_id           TEXT NOT NULL,
    client_secret_hash  TEXT NOT NULL,
    owner_account_id    INTEGER,
    created_at          DATETIME NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_client ON oauth_applications (client_id);

CREATE TABLE oauth_codes (
    id                     INTEGER PRIMARY KEY,
    code_hash              TEXT NOT NULL,
    application_id         INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id             INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL DEFAULT '',
    scopes                 TEXT NOT NULL DEFAULT '[]',
    code_challenge         TEXT NOT NULL DEFAULT '',
    code_challenge_method  TEXT NOT NULL DEFAULT '',
    expires_at             DATETIME NOT NULL,
    used_at                DATETIME,
    created_at             DATETIME NOT NULL
);
CREATE UNIQUE INDEX oauth_codes_hash ON oauth_codes (code_hash);

CREATE TABLE oauth_tokens (
    id              INTEGER PRIMARY KEY,
    token_hash      TEXT NOT NULL,
    application_id  INTEGER NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id      INTEGER REFERENCES accounts (id) ON DELETE CASCADE,
    scopes          TEXT NOT NULL DEFAULT '[]',
    created_at      DATETIME NOT NULL,
    last_used_at    DATETIME,
    revoked_at      DATETIME
);
CREATE UNIQUE INDEX oauth_tokens_hash ON oauth_tokens (token_hash);
CREATE INDEX oauth_tokens_account ON oauth_tokens (account_id);

CREATE TABLE instances (
    domain             TEXT PRIMARY KEY,
    shared_inbox_uri   TEXT NOT NULL DEFAULT '',
    software           TEXT NOT NULL DEFAULT '',
    software_version   TEXT NOT NULL DEFAULT '',
    first_seen_at      DATETIME NOT NULL,
    last_success_at    DATETIME,
    last_failure_at    DATETIME,
    failure_count      INTEGER NOT NULL DEFAULT 0,
    unavailable_since  DATETIME,
    updated_at         DATETIME NOT NULL
);

CREATE TABLE feed_entries (
    feed_kind     INTEGER NOT NULL,
    feed_owner    INTEGER NOT NULL,
    status_id     INTEGER NOT NULL,
    author_id     INTEGER NOT NULL,
    reblog_of_id  INTEGER,
    PRIMARY KEY (feed_kind, feed_owner, status_id)
) WITHOUT ROWID;
CREATE INDEX feed_entries_author ON feed_entries (feed_kind, feed_owner, author_id);
CREATE INDEX feed_entries_status ON feed_entries (status_id);
