package sqlstore

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

type deliveries struct{ s *Store }

// Deliveries implements storage.Store.
func (s *Store) Deliveries() storage.Deliveries { return deliveries{s} }

func inboxHost(inbox string) (string, error) {
	u, err := url.Parse(inbox)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("inbox %q: %w", inbox, storage.ErrInvalid)
	}
	return strings.ToLower(u.Host), nil
}

func (r deliveries) Enqueue(ctx context.Context, a *storage.OutgoingActivity) error {
	if len(a.Body) == 0 {
		return fmt.Errorf("enqueue: empty body: %w", storage.ErrInvalid)
	}
	seen := map[string]bool{}
	type target struct{ inbox, host string }
	var targets []target
	for _, in := range a.Inboxes {
		if in == "" || seen[in] {
			continue
		}
		seen[in] = true
		h, err := inboxHost(in)
		if err != nil {
			return fmt.Errorf("enqueue %s: %w", a.URI, err)
		}
		targets = append(targets, target{in, h})
	}
	if len(targets) == 0 {
		return nil
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		now := ts.now()
		actID := ts.NewID()
		if _, err := ts.exec(ctx, "INSERT INTO delivery_activities (id, uri, signer_id, body, created_at) VALUES (?, ?, ?, ?, ?)",
			actID, a.URI, a.SignerID, a.Body, now); err != nil {
			return ts.wrap(err, "enqueue %s", a.URI)
		}
		for start := 0; start < len(targets); start += feedBatch {
			end := min(start+feedBatch, len(targets))
			var sb strings.Builder
			sb.WriteString("INSERT INTO deliveries (id, activity_id, inbox, host, attempts, next_attempt_at, last_error, created_at) VALUES ")
			args := make([]any, 0, (end-start)*7)
			for i, t := range targets[start:end] {
				if i > 0 {
					sb.WriteString(", ")
				}
				sb.WriteString("(?, ?, ?, ?, 0, ?, '', ?)")
				args = append(args, ts.NewID(), actID, t.inbox, t.host, now, now)
			}
			if _, err := ts.w.ExecContext(ctx, ts.w.Rebind(sb.String()), args...); err != nil {
				return ts.wrap(err, "enqueue %s", a.URI)
			}
		}
		return nil
	})
}

func (r deliveries) Claim(ctx context.Context, n int, now time.Time, lease time.Duration, skip []string) ([]*storage.Delivery, error) {
	if n <= 0 {
		return nil, nil
	}
	now = norm(now)
	where := "next_attempt_at <= ? AND (locked_until IS NULL OR locked_until < ?)"
	args := []any{norm(now.Add(lease)), now, now}
	if len(skip) > 0 {
		where += " AND host NOT IN (?)"
		args = append(args, skip)
	}
	args = append(args, n)
	lock := ""
	if r.s.cfg.Dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	q := `UPDATE deliveries SET locked_until = ?, attempts = attempts + 1 WHERE id IN (
		SELECT id FROM deliveries WHERE ` + where + ` ORDER BY next_attempt_at, id LIMIT ?` + lock + `)
		RETURNING id, activity_id, inbox, host, attempts, next_attempt_at, last_error, created_at`
	q, args, err := sqlx.In(q, args...)
	if err != nil {
		return nil, err
	}
	var out []*storage.Delivery
	if err := sqlx.SelectContext(ctx, r.s.w, &out, r.s.w.Rebind(q), args...); err != nil {
		return nil, r.s.wrap(err, "claim deliveries")
	}
	if len(out) == 0 {
		return nil, nil
	}
	fixTimes(&out)
	ids := make([]storage.ID, 0, len(out))
	seen := map[storage.ID]bool{}
	for _, d := range out {
		if !seen[d.ActivityID] {
			seen[d.ActivityID] = true
			ids = append(ids, d.ActivityID)
		}
	}
	var acts []struct {
		ID       storage.ID `db:"id"`
		URI      string     `db:"uri"`
		SignerID storage.ID `db:"signer_id"`
		Body     []byte     `db:"body"`
	}
	q, qargs, err := sqlx.In("SELECT id, uri, signer_id, body FROM delivery_activities WHERE id IN (?)", ids)
	if err != nil {
		return nil, err
	}
	if err := sqlx.SelectContext(ctx, r.s.w, &acts, r.s.w.Rebind(q), qargs...); err != nil {
		return nil, r.s.wrap(err, "claim deliveries: activities")
	}
	byID := make(map[storage.ID]int, len(acts))
	for i, a := range acts {
		byID[a.ID] = i
	}
	for _, d := range out {
		if i, ok := byID[d.ActivityID]; ok {
			d.ActivityURI, d.SignerID, d.Body = acts[i].URI, acts[i].SignerID, acts[i].Body
		}
	}
	// Sort oldest due first, as claimed (RETURNING order is unspecified).
	sortDeliveries(out)
	return out, nil
}

func sortDeliveries(ds []*storage.Delivery) {
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && (ds[j].NextAttemptAt.Before(ds[j-1].NextAttemptAt) ||
			ds[j].NextAttemptAt.Equal(ds[j-1].NextAttemptAt) && ds[j].ID < ds[j-1].ID); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
}

func (r deliveries) Done(ctx context.Context, id storage.ID) error {
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		var actID storage.ID
		if err := sqlx.GetContext(ctx, ts.w, &actID, ts.w.Rebind("SELECT activity_id FROM deliveries WHERE id = ?"), id); err != nil {
			return ts.wrap(err, "delivery %s done", id)
		}
		if _, err := ts.exec(ctx, "DELETE FROM deliveries WHERE id = ?", id); err != nil {
			return ts.wrap(err, "delivery %s done", id)
		}
		_, err := ts.exec(ctx, "DELETE FROM delivery_activities WHERE id = ? AND NOT EXISTS (SELECT 1 FROM deliveries WHERE activity_id = ?)", actID, actID)
		return ts.wrap(err, "delivery %s done", id)
	})
}

func (r deliveries) Retry(ctx context.Context, id storage.ID, at time.Time, lastErr string) error {
	if len(lastErr) > 1000 {
		lastErr = lastErr[:1000]
	}
	return r.s.wrap(r.s.execAffected(ctx, "UPDATE deliveries SET locked_until = NULL, next_attempt_at = ?, last_error = ? WHERE id = ?",
		norm(at), lastErr, id), "retry delivery %s", id)
}

func (r deliveries) Drop(ctx context.Context, id storage.ID) error {
	return r.Done(ctx, id)
}

func (r deliveries) DeferHost(ctx context.Context, host string, until time.Time) error {
	_, err := r.s.exec(ctx, "UPDATE deliveries SET next_attempt_at = ? WHERE host = ? AND next_attempt_at < ? AND locked_until IS NULL",
		norm(until), strings.ToLower(host), norm(until))
	return r.s.wrap(err, "defer host %s", host)
}

func (r deliveries) DropHost(ctx context.Context, host string) (int64, error) {
	var n int64
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		res, err := ts.exec(ctx, "DELETE FROM deliveries WHERE host = ?", strings.ToLower(host))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		_, err = ts.exec(ctx, "DELETE FROM delivery_activities WHERE NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.activity_id = delivery_activities.id)")
		return err
	})
	return n, r.s.wrap(err, "drop host %s", host)
}

func (r deliveries) Depth(ctx context.Context) ([]storage.HostDepth, error) {
	var out []storage.HostDepth
	err := r.s.sel(ctx, &out, "SELECT host, COUNT(*) AS pending FROM deliveries GROUP BY host ORDER BY pending DESC, host")
	return out, r.s.wrap(err, "delivery depth")
}

func (r deliveries) NextDue(ctx context.Context) (time.Time, error) {
	var t []time.Time
	if err := r.s.sel(ctx, &t, "SELECT next_attempt_at FROM deliveries ORDER BY next_attempt_at LIMIT 1"); err != nil {
		return time.Time{}, r.s.wrap(err, "next due delivery")
	}
	if len(t) == 0 {
		return time.Time{}, fmt.Errorf("next due delivery: %w", storage.ErrNotFound)
	}
	return t[0].UTC(), nil
}
