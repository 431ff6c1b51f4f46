-- Herd schema, version 1 (PostgreSQL). Keep in step with storage/sqlite/migrations.
-- Timestamps are TIMESTAMPTZ, booleans BOOLEAN, lists JSON text.

CREATE TABLE accounts (
    id                 BIGINT PRIMARY KEY,
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
    moved_to_id        BIGINT,
    locked             BOOLEAN NOT NULL DEFAULT FALSE,
    bot                BOOLEAN NOT NULL DEFAULT FALSE,
    discoverable       BOOLEAN NOT NULL DEFAULT FALSE,
    indexable          BOOLEAN NOT NULL DEFAULT FALSE,
    memorial           BOOLEAN NOT NULL DEFAULT FALSE,
    suspended_at       TIMESTAMPTZ,
    silenced_at        TIMESTAMPTZ,
    sensitized         BOOLEAN NOT NULL DEFAULT FALSE,
    statuses_count     BIGINT NOT NULL DEFAULT 0,
    followers_count    BIGINT NOT NULL DEFAULT 0,
    following_count    BIGINT NOT NULL DEFAULT 0,
    last_status_at     TIMESTAMPTZ,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL,
    fetched_at         TIMESTAMPTZ,
    extra              TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX accounts_username_domain ON accounts (username_key, domain);
CREATE UNIQUE INDEX accounts_uri ON accounts (uri);
CREATE INDEX accounts_domain ON accounts (domain, id);

CREATE TABLE users (
    id                  BIGINT PRIMARY KEY,
    account_id          BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    email               TEXT NOT NULL,
    email_key           TEXT NOT NULL, -- email case-folded by the store
    password_hash       TEXT NOT NULL DEFAULT '',
    role                TEXT NOT NULL DEFAULT 'user',
    approved            BOOLEAN NOT NULL DEFAULT TRUE,
    confirmed_at        TIMESTAMPTZ,
    disabled            BOOLEAN NOT NULL DEFAULT FALSE,
    locale              TEXT NOT NULL DEFAULT '',
    sign_up_reason      TEXT NOT NULL DEFAULT '',
    default_visibility  TEXT NOT NULL DEFAULT 'public',
    default_sensitive   BOOLEAN NOT NULL DEFAULT FALSE,
    default_language    TEXT NOT NULL DEFAULT '',
    last_sign_in_at     TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX users_account ON users (account_id);
CREATE UNIQUE INDEX users_email ON users (email_key);

CREATE TABLE statuses (
    id                      BIGINT PRIMARY KEY,
    uri                     TEXT NOT NULL,
    url                     TEXT NOT NULL DEFAULT '',
    account_id              BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    local                   BOOLEAN NOT NULL DEFAULT FALSE,
    in_reply_to_id          BIGINT,
    in_reply_to_account_id  BIGINT,
    in_reply_to_uri         TEXT NOT NULL DEFAULT '',
    reblog_of_id            BIGINT,
    quote_of_id             BIGINT,
    conversation_id         BIGINT,
    content                 TEXT NOT NULL DEFAULT '',
    text                    TEXT NOT NULL DEFAULT '',
    spoiler_text            TEXT NOT NULL DEFAULT '',
    sensitive               BOOLEAN NOT NULL DEFAULT FALSE,
    visibility              TEXT NOT NULL DEFAULT 'public',
    language                TEXT NOT NULL DEFAULT '',
    application_id          BIGINT,
    mentions                TEXT NOT NULL DEFAULT '[]',
    tags                    TEXT NOT NULL DEFAULT '[]',
    emojis                  TEXT NOT NULL DEFAULT '[]',
    media_ids               TEXT NOT NULL DEFAULT '[]',
    poll_id                 BIGINT,
    has_media               BOOLEAN NOT NULL DEFAULT FALSE,
    replies_count           BIGINT NOT NULL DEFAULT 0,
    reblogs_count           BIGINT NOT NULL DEFAULT 0,
    favourites_count        BIGINT NOT NULL DEFAULT 0,
    created_at              TIMESTAMPTZ NOT NULL,
    edited_at               TIMESTAMPTZ,
    updated_at              TIMESTAMPTZ NOT NULL,
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
    status_id  BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, status_id)
);
CREATE INDEX status_tags_status ON status_tags (status_id);

CREATE TABLE status_mentions (
    account_id  BIGINT NOT NULL,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    PRIMARY KEY (account_id, status_id)
);
CREATE INDEX status_mentions_status ON status_mentions (status_id);

CREATE TABLE status_edits (
    id            BIGINT PRIMARY KEY,
    status_id     BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id    BIGINT NOT NULL,
    content       TEXT NOT NULL DEFAULT '',
    text          TEXT NOT NULL DEFAULT '',
    spoiler_text  TEXT NOT NULL DEFAULT '',
    sensitive     BOOLEAN NOT NULL DEFAULT FALSE,
    media_ids     TEXT NOT NULL DEFAULT '[]',
    emojis        TEXT NOT NULL DEFAULT '[]',
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX status_edits_status ON status_edits (status_id, id);

CREATE TABLE follows (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                TEXT NOT NULL DEFAULT '',
    show_reblogs       BOOLEAN NOT NULL DEFAULT TRUE,
    notify             BOOLEAN NOT NULL DEFAULT FALSE,
    languages          TEXT NOT NULL DEFAULT '[]',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX follows_pair ON follows (account_id, target_account_id);
CREATE INDEX follows_target ON follows (target_account_id, id);
CREATE INDEX follows_uri ON follows (uri);

CREATE TABLE follow_requests (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                TEXT NOT NULL DEFAULT '',
    show_reblogs       BOOLEAN NOT NULL DEFAULT TRUE,
    notify             BOOLEAN NOT NULL DEFAULT FALSE,
    languages          TEXT NOT NULL DEFAULT '[]',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX follow_requests_pair ON follow_requests (account_id, target_account_id);
CREATE INDEX follow_requests_target ON follow_requests (target_account_id, id);
CREATE INDEX follow_requests_uri ON follow_requests (uri);

CREATE TABLE favourites (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    uri         TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX favourites_pair ON favourites (account_id, status_id);
CREATE INDEX favourites_status ON favourites (status_id, id);
CREATE INDEX favourites_account ON favourites (account_id, id);
CREATE INDEX favourites_uri ON favourites (uri);

CREATE TABLE bookmarks (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX bookmarks_pair ON bookmarks (account_id, status_id);
CREATE INDEX bookmarks_account ON bookmarks (account_id, id);
CREATE INDEX bookmarks_status ON bookmarks (status_id);

CREATE TABLE pins (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_id   BIGINT NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX pins_pair ON pins (account_id, status_id);
CREATE INDEX pins_status ON pins (status_id);

CREATE TABLE notifications (
    id               BIGINT PRIMARY KEY,
    account_id       BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    from_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    type             TEXT NOT NULL,
    status_id        BIGINT REFERENCES statuses (id) ON DELETE CASCADE,
    group_key        TEXT NOT NULL DEFAULT '',
    extra            TEXT NOT NULL DEFAULT '{}',
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_account ON notifications (account_id, id);
CREATE INDEX notifications_status ON notifications (status_id);
CREATE INDEX notifications_from ON notifications (from_account_id);

CREATE TABLE oauth_applications (
    id                  BIGINT PRIMARY KEY,
    name                TEXT NOT NULL,
    website             TEXT NOT NULL DEFAULT '',
    redirect_uris       TEXT NOT NULL DEFAULT '[]',
    scopes              TEXT NOT NULL DEFAULT '[]',
    client_id           TEXT NOT NULL,
    client_secret_hash  TEXT NOT NULL,
    owner_account_id    BIGINT,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX oauth_applications_client ON oauth_applications (client_id);

CREATE TABLE oauth_codes (
    id                     BIGINT PRIMARY KEY,
    code_hash              TEXT NOT NULL,
    application_id         BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id             BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    redirect_uri           TEXT NOT NULL DEFAULT '',
    scopes                 TEXT NOT NULL DEFAULT '[]',
    code_challenge         TEXT NOT NULL DEFAULT '',
    code_challenge_method  TEXT NOT NULL DEFAULT '',
    expires_at             TIMESTAMPTZ NOT NULL,
    used_at                TIMESTAMPTZ,
    created_at             TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX oauth_codes_hash ON oauth_codes (code_hash);

CREATE TABLE oauth_tokens (
    id              BIGINT PRIMARY KEY,
    token_hash      TEXT NOT NULL,
    application_id  BIGINT NOT NULL REFERENCES oauth_applications (id) ON DELETE CASCADE,
    account_id      BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    scopes          TEXT NOT NULL DEFAULT '[]',
    created_at      TIMESTAMPTZ NOT NULL,
    last_used_at    TIMESTAMPTZ,
    revoked_at      TIMESTAMPTZ
);
CREATE UNIQUE INDEX oauth_tokens_hash ON oauth_tokens (token_hash);
CREATE INDEX oauth_tokens_account ON oauth_tokens (account_id);

CREATE TABLE instances (
    domain             TEXT PRIMARY KEY,
    shared_inbox_uri   TEXT NOT NULL DEFAULT '',
    software           TEXT NOT NULL DEFAULT '',
    software_version   TEXT NOT NULL DEFAULT '',
    first_seen_at      TIMESTAMPTZ NOT NULL,
    last_success_at    TIMESTAMPTZ,
    last_failure_at    TIMESTAMPTZ,
    failure_count      BIGINT NOT NULL DEFAULT 0,
    unavailable_since  TIMESTAMPTZ,
    updated_at         TIMESTAMPTZ NOT NULL
);

CREATE TABLE feed_entries (
    feed_kind     BIGINT NOT NULL,
    feed_owner    BIGINT NOT NULL,
    status_id     BIGINT NOT NULL,
    author_id     BIGINT NOT NULL,
    reblog_of_id  BIGINT,
    PRIMARY KEY (feed_kind, feed_owner, status_id)
);
CREATE INDEX feed_entries_author ON feed_entries (feed_kind, feed_owner, author_id);
CREATE INDEX feed_entries_status ON feed_entries (status_id);
