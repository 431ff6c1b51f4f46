-- Durable delayed jobs (sqlite). Keep in step with storage/postgres/migrations.
-- One pending job per (kind, key_id); rev counts the requests it stands
-- for, locked_until is the lease of the process running it.

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL,
    key_id        INTEGER NOT NULL,
    due_at        DATETIME NOT NULL,
    rev           INTEGER NOT NULL DEFAULT 1,
    attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until  DATETIME,
    created_at    DATETIME NOT NULL
);
CREATE UNIQUE INDEX jobs_kind_key ON jobs (kind, key_id);
CREATE INDEX jobs_due ON jobs (kind, due_at, id);
