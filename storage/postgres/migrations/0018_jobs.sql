-- Durable delayed jobs (postgres). Keep in step with storage/sqlite/migrations.
-- One pending job per (kind, key_id); rev counts the requests it stands
-- for, locked_until is the lease of the process running it.

CREATE TABLE jobs (
    id            BIGINT PRIMARY KEY,
    kind          TEXT NOT NULL,
    key_id        BIGINT NOT NULL,
    due_at        TIMESTAMPTZ NOT NULL,
    rev           BIGINT NOT NULL DEFAULT 1,
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  TIMESTAMPTZ,
    created_at    TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX jobs_kind_key ON jobs (kind, key_id);
CREATE INDEX jobs_due ON jobs (kind, due_at, id);
