-- Sign-up protections (PostgreSQL). Keep in step with storage/sqlite/migrations.
-- email_domain_blocks: email domains (and their subdomains) refused at
-- sign-up; ip_blocks: address ranges (canonical CIDR text) with a severity
-- (sign_up_requires_approval / sign_up_block / no_access) and an optional
-- expiry; canonical_email_blocks: SHA-256 hashes of canonical addresses
-- refused at sign-up.

CREATE TABLE email_domain_blocks (
    id          BIGINT PRIMARY KEY,
    domain      TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX email_domain_blocks_domain ON email_domain_blocks (domain);

CREATE TABLE ip_blocks (
    id          BIGINT PRIMARY KEY,
    ip          TEXT NOT NULL,
    severity    TEXT NOT NULL,
    comment     TEXT NOT NULL DEFAULT '',
    expires_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX ip_blocks_ip ON ip_blocks (ip);

CREATE TABLE canonical_email_blocks (
    id                    BIGINT PRIMARY KEY,
    canonical_email_hash  TEXT NOT NULL,
    created_at            TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX canonical_email_blocks_hash ON canonical_email_blocks (canonical_email_hash);
