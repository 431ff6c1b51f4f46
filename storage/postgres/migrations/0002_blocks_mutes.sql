-- Account blocks, mutes and user-level domain blocks (PostgreSQL). Keep in step with sqlite.
CREATE TABLE blocks (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    uri                TEXT NOT NULL DEFAULT '',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX blocks_pair ON blocks (account_id, target_account_id);
CREATE INDEX blocks_target ON blocks (target_account_id);
CREATE INDEX blocks_uri ON blocks (uri);

CREATE TABLE mutes (
    id                  BIGINT PRIMARY KEY,
    account_id          BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id   BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    hide_notifications  BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at          TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX mutes_pair ON mutes (account_id, target_account_id);
CREATE INDEX mutes_target ON mutes (target_account_id);

CREATE TABLE domain_blocks (
    id          BIGINT PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    domain      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX domain_blocks_pair ON domain_blocks (account_id, domain);
CREATE INDEX domain_blocks_domain ON domain_blocks (domain);
