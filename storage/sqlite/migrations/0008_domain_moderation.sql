-- Instance-level domain moderation (SQLite). Keep in step with storage/postgres/migrations.
-- instance_domain_blocks: a moderator's block of a domain and its subdomains
-- (severity noop / silence / suspend); domain_allows: the allow-list used in
-- allow-list federation mode; relationship_severance_events and
-- account_severances: follows cut by a moderation action, with what each
-- local account lost (Mastodon's severed_relationships).

CREATE TABLE instance_domain_blocks (
    id               INTEGER PRIMARY KEY,
    domain           TEXT NOT NULL,
    severity         TEXT NOT NULL DEFAULT 'silence',
    reject_media     BOOLEAN NOT NULL DEFAULT 0,
    reject_reports   BOOLEAN NOT NULL DEFAULT 0,
    private_comment  TEXT NOT NULL DEFAULT '',
    public_comment   TEXT NOT NULL DEFAULT '',
    obfuscate        BOOLEAN NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX instance_domain_blocks_domain ON instance_domain_blocks (domain);

CREATE TABLE domain_allows (
    id          INTEGER PRIMARY KEY,
    domain      TEXT NOT NULL,
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX domain_allows_domain ON domain_allows (domain);

CREATE TABLE relationship_severance_events (
    id           INTEGER PRIMARY KEY,
    type         TEXT NOT NULL,
    purged       BOOLEAN NOT NULL DEFAULT 0,
    target_name  TEXT NOT NULL,
    created_at   DATETIME NOT NULL
);

CREATE TABLE account_severances (
    id               INTEGER PRIMARY KEY,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    event_id         INTEGER NOT NULL REFERENCES relationship_severance_events (id) ON DELETE CASCADE,
    followers_count  INTEGER NOT NULL DEFAULT 0,
    following_count  INTEGER NOT NULL DEFAULT 0,
    created_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX account_severances_pair ON account_severances (account_id, event_id);
CREATE INDEX account_severances_event ON account_severances (event_id);
