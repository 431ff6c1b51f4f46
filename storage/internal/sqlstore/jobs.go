package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

// Jobs implements storage.Store.
func (s *Store) Jobs() storage.Jobs { return jobs{s} }

type jobs struct{ s *Store }

var jobCols = selectList(&storage.Job{}, "")

func (r jobs) Schedule(ctx context.Context, kind string, key storage.ID, due time.Time) error {
	if kind == "" {
		return fmt.Errorf("schedule job: kind is required: %w", storage.ErrInvalid)
	}
	// A pending job keeps the earlier due time; one being run keeps its
	// lease, and the grown rev tells Done to keep it for another run.
	_, err := r.s.exec(ctx, `INSERT INTO jobs (id, kind, key_id, due_at, rev, attempts, locked_until, created_at)
		VALUES (?, ?, ?, ?, 1, 0, NULL, ?)
		ON CONFLICT (kind, key_id) DO UPDATE SET rev = jobs.rev + 1,
			due_at = CASE WHEN excluded.due_at < jobs.due_at THEN excluded.due_at ELSE jobs.due_at END`,
		r.s.NewID(), kind, key, norm(due), r.s.now())
	return r.s.wrap(err, "schedule job %s %s", kind, key)
}

func (r jobs) Claim(ctx context.Context, kind string, now time.Time, lease time.Duration, n int) ([]*storage.Job, error) {
	if n <= 0 {
		return []*storage.Job{}, nil
	}
	if n > maxClaim {
		n = maxClaim
	}
	now = norm(now)
	lock := ""
	if r.s.cfg.Dialect == Postgres {
		// Rows another process is claiming are skipped, not waited for.
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE jobs SET locked_until = ?, attempts = attempts + 1 WHERE id IN (
		SELECT id FROM jobs WHERE kind = ? AND due_at <= ? AND (locked_until IS NULL OR locked_until <= ?)
		ORDER BY due_at, id LIMIT ?` + lock + `) RETURNING ` + jobCols
	var out []*storage.Job
	// On the writer: the claim is an update.
	if err := sqlx.SelectContext(ctx, r.s.w, &out, r.s.w.Rebind(q), norm(now.Add(lease)), kind, now, now, n); err != nil {
		return nil, r.s.wrap(err, "claim %s jobs", kind)
	}
	if out == nil {
		out = []*storage.Job{}
	}
	fixTimes(&out)
	// RETURNING order is unspecified: earliest due first, as claimed.
	sortJobs(out)
	return out, nil
}

func sortJobs(js []*storage.Job) {
	for i := 1; i < len(js); i++ {
		for k := i; k > 0 && jobBefore(js[k], js[k-1]); k-- {
			js[k], js[k-1] = js[k-1], js[k]
		}
	}
}

func jobBefore(a, b *storage.Job) bool {
	if !a.DueAt.Equal(b.DueAt) {
		return a.DueAt.Before(b.DueAt)
	}
	return a.ID < b.ID
}

func (r jobs) Done(ctx context.Context, j *storage.Job, again time.Time) (bool, error) {
	kept := false
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		// Only the latest claim ends the job: a runner whose lease lapsed
		// and was claimed again (attempts grew) leaves it to the new one.
		res, err := ts.exec(ctx, "DELETE FROM jobs WHERE id = ? AND rev = ? AND attempts = ?", j.ID, j.Rev, j.Attempts)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n > 0 {
			return err
		}
		res, err = ts.exec(ctx, "UPDATE jobs SET locked_until = NULL, attempts = 0, due_at = ? WHERE id = ? AND attempts = ?", norm(again), j.ID, j.Attempts)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		kept = n > 0
		return err
	})
	return kept, r.s.wrap(err, "job %s %s done", j.Kind, j.Key)
}

func (r jobs) Get(ctx context.Context, kind string, key storage.ID) (*storage.Job, error) {
	var j storage.Job
	err := r.s.get(ctx, &j, "SELECT "+jobCols+" FROM jobs WHERE kind = ? AND key_id = ?", kind, key)
	if err != nil {
		return nil, r.s.wrap(err, "get job %s %s", kind, key)
	}
	return &j, nil
}
