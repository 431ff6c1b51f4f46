-- Polls and their votes (SQLite). Keep in step with storage/postgres/migrations.
-- A poll belongs to one status (statuses.poll_id names it) and goes with it.
-- options is a JSON array of {"title", "votes_count"}; votes_count and
-- voters_count are the totals, kept in step with poll_votes for local polls
-- and taken from the author's server for remote ones. closed_at is set once
-- the poll has ended and its end was processed (notifications sent), or when
-- a remote poll says it is closed. Each vote is one choice of one account; a
-- vote on a multiple-choice poll is several rows.

CREATE TABLE polls (
    id               INTEGER PRIMARY KEY,
    status_id        INTEGER NOT NULL REFERENCES statuses (id) ON DELETE CASCADE,
    account_id       INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    options          TEXT NOT NULL DEFAULT '[]',
    multiple         BOOLEAN NOT NULL DEFAULT 0,
    hide_totals      BOOLEAN NOT NULL DEFAULT 0,
    expires_at       DATETIME,
    closed_at        DATETIME,
    votes_count      INTEGER NOT NULL DEFAULT 0,
    voters_count     INTEGER NOT NULL DEFAULT 0,
    last_fetched_at  DATETIME,
    created_at       DATETIME NOT NULL,
    updated_at       DATETIME NOT NULL
);
CREATE UNIQUE INDEX polls_status ON polls (status_id);
CREATE INDEX polls_account ON polls (account_id);
CREATE INDEX polls_due ON polls (expires_at) WHERE closed_at IS NULL AND expires_at IS NOT NULL;

CREATE TABLE poll_votes (
    id          INTEGER PRIMARY KEY,
    poll_id     INTEGER NOT NULL REFERENCES polls (id) ON DELETE CASCADE,
    account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    choice      INTEGER NOT NULL,
    uri         TEXT NOT NULL DEFAULT '',
    created_at  DATETIME NOT NULL
);
CREATE UNIQUE INDEX poll_votes_choice ON poll_votes (poll_id, account_id, choice);
CREATE INDEX poll_votes_account ON poll_votes (account_id, poll_id);

-- The poll options of each version of an edited status.
ALTER TABLE status_edits ADD COLUMN poll_options TEXT NOT NULL DEFAULT '[]';
