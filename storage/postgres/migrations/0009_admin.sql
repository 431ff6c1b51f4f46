-- Reports, report notes, account warnings, instance rules and the audit log (PostgreSQL). Keep in step with sqlite.
CREATE TABLE reports (
    id                          BIGINT PRIMARY KEY,
    account_id                  BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id           BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    status_ids                  TEXT NOT NULL DEFAULT '[]',
    rule_ids                    TEXT NOT NULL DEFAULT '[]',
    category                    TEXT NOT NULL DEFAULT 'other',
    comment                     TEXT NOT NULL DEFAULT '',
    forwarded                   BOOLEAN NOT NULL DEFAULT FALSE,
    uri                         TEXT NOT NULL DEFAULT '',
    assigned_account_id         BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_by_account_id  BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    action_taken_at             TIMESTAMPTZ,
    created_at                  TIMESTAMPTZ NOT NULL,
    updated_at                  TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_target ON reports (target_account_id, id);
CREATE INDEX reports_account ON reports (account_id, id);
CREATE INDEX reports_unresolved ON reports (id) WHERE action_taken_at IS NULL;
CREATE UNIQUE INDEX reports_uri ON reports (uri) WHERE uri <> '';

CREATE TABLE report_notes (
    id          BIGINT PRIMARY KEY,
    report_id   BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    account_id  BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    content     TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, id);

CREATE TABLE account_warnings (
    id                 BIGINT PRIMARY KEY,
    account_id         BIGINT REFERENCES accounts (id) ON DELETE SET NULL,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    action             TEXT NOT NULL,
    text               TEXT NOT NULL DEFAULT '',
    report_id          BIGINT REFERENCES reports (id) ON DELETE SET NULL,
    status_ids         TEXT NOT NULL DEFAULT '[]',
    created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX account_warnings_target ON account_warnings (target_account_id, id);

CREATE TABLE rules (
    id          BIGINT PRIMARY KEY,
    text        TEXT NOT NULL,
    hint        TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- The audit log keeps no foreign keys: it outlives what it names.
CREATE TABLE audit_log (
    id           BIGINT PRIMARY KEY,
    account_id   BIGINT,
    action       TEXT NOT NULL,
    target_type  TEXT NOT NULL DEFAULT '',
    target_id    BIGINT,
    summary      TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, id);
CREATE INDEX audit_log_target ON audit_log (target_type, target_id, id);
