-- Discovery (PostgreSQL): the days on which local accounts used the instance
-- (instance activity's logins), dismissed follow suggestions, and the
-- indexes that bound the trends, activity and direct timeline queries.
-- Keep in step with storage/sqlite/migrations.

CREATE TABLE account_active_days (
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    day         INTEGER NOT NULL, -- whole days since the Unix epoch (UTC)
    PRIMARY KEY (account_id, day)
);
CREATE INDEX account_active_days_day ON account_active_days (day, account_id);

CREATE TABLE suggestion_dismissals (
    account_id         BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    target_account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at         TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, target_account_id)
);
CREATE INDEX suggestion_dismissals_target ON suggestion_dismissals (target_account_id);

-- Local statuses (not boosts) by ID: instance activity counts them per week.
CREATE INDEX statuses_local_posts ON statuses (id) WHERE local AND reblog_of_id IS NULL;
-- Direct statuses by author: the direct timeline.
CREATE INDEX statuses_direct ON statuses (account_id, id) WHERE visibility = 'direct';
