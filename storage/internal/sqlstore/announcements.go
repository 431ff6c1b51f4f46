package sqlstore

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Announcements implements storage.Store.
func (s *Store) Announcements() storage.Announcements { return announcements{s} }

type announcements struct{ s *Store }

var (
	announcementCols = selectList(&storage.Announcement{}, "")
	// announcementUpdateCols are the columns Update writes.
	announcementUpdateCols = []string{"text", "starts_at", "ends_at", "all_day", "published", "published_at", "updated_at"}
)

// maxReactionName bounds a reaction's name (an emoji, or a shortcode).
const maxReactionName = 100

func checkAnnouncement(a *storage.Announcement) error {
	if strings.TrimSpace(a.Text) == "" {
		return fmt.Errorf("announcement: text is required: %w", storage.ErrInvalid)
	}
	if a.StartsAt != nil && a.EndsAt != nil && a.EndsAt.Before(*a.StartsAt) {
		return fmt.Errorf("announcement: ends before it starts: %w", storage.ErrInvalid)
	}
	return nil
}

func (r announcements) Create(ctx context.Context, a *storage.Announcement) error {
	if err := checkAnnouncement(a); err != nil {
		return err
	}
	if a.ID == 0 {
		a.ID = r.s.NewID()
	}
	now := r.s.now()
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now
	}
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = a.CreatedAt
	}
	if a.Published && a.PublishedAt == nil {
		a.PublishedAt = &now
	}
	a.Version, a.AnnouncedVersion, a.DeletedAt = 1, 0, nil
	a.CreatedAt, a.UpdatedAt = norm(a.CreatedAt), norm(a.UpdatedAt)
	a.StartsAt, a.EndsAt, a.PublishedAt = normp(a.StartsAt), normp(a.EndsAt), normp(a.PublishedAt)
	return r.s.wrap(r.s.insert(ctx, "announcements", a), "create announcement %s", a.ID)
}

func (r announcements) Get(ctx context.Context, id storage.ID) (*storage.Announcement, error) {
	var a storage.Announcement
	err := r.s.get(ctx, &a, "SELECT "+announcementCols+" FROM announcements WHERE id = ? AND deleted_at IS NULL", id)
	if err != nil {
		return nil, r.s.wrap(err, "get announcement %s", id)
	}
	return &a, nil
}

func (r announcements) Update(ctx context.Context, a *storage.Announcement) error {
	if err := checkAnnouncement(a); err != nil {
		return err
	}
	if a.Published && a.PublishedAt == nil {
		now := r.s.now()
		a.PublishedAt = &now
	}
	a.UpdatedAt = r.s.now()
	a.StartsAt, a.EndsAt, a.PublishedAt = normp(a.StartsAt), normp(a.EndsAt), normp(a.PublishedAt)
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.execAffected(ctx, "UPDATE announcements SET version = version + 1 WHERE id = ? AND deleted_at IS NULL", a.ID); err != nil {
			return err
		}
		if err := ts.update(ctx, "announcements", "id", a, announcementUpdateCols); err != nil {
			return err
		}
		return ts.get(ctx, &a.Version, "SELECT version FROM announcements WHERE id = ?", a.ID)
	})
	return r.s.wrap(err, "update announcement %s", a.ID)
}

func (r announcements) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "UPDATE announcements SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", r.s.now(), id),
		"delete announcement %s", id)
}

func (r announcements) List(ctx context.Context, activeOnly bool, now time.Time) ([]*storage.Announcement, error) {
	out := []*storage.Announcement{}
	var err error
	if activeOnly {
		err = r.s.sel(ctx, &out, "SELECT "+announcementCols+" FROM announcements WHERE deleted_at IS NULL AND published = ? AND (ends_at IS NULL OR ends_at > ?) ORDER BY id",
			true, norm(now))
	} else {
		err = r.s.sel(ctx, &out, "SELECT "+announcementCols+" FROM announcements WHERE deleted_at IS NULL ORDER BY id")
	}
	return out, r.s.wrap(err, "list announcements")
}

func (r announcements) ClaimEvents(ctx context.Context) ([]*storage.Announcement, []storage.ID, error) {
	var cands []*storage.Announcement
	if err := r.s.sel(ctx, &cands, "SELECT "+announcementCols+" FROM announcements WHERE (deleted_at IS NULL AND published = ? AND announced_version < version) OR deleted_at IS NOT NULL ORDER BY id",
		true); err != nil {
		return nil, nil, r.s.wrap(err, "announcement events")
	}
	published := []*storage.Announcement{}
	deleted := []storage.ID{}
	for _, a := range cands {
		if a.DeletedAt != nil {
			// The process that removes the row reports the deletion.
			res, err := r.s.exec(ctx, "DELETE FROM announcements WHERE id = ? AND deleted_at IS NOT NULL", a.ID)
			if err != nil {
				return published, deleted, r.s.wrap(err, "claim deletion of announcement %s", a.ID)
			}
			if n, _ := res.RowsAffected(); n == 1 {
				deleted = append(deleted, a.ID)
			}
			continue
		}
		res, err := r.s.exec(ctx, "UPDATE announcements SET announced_version = ? WHERE id = ? AND announced_version < ? AND deleted_at IS NULL",
			a.Version, a.ID, a.Version)
		if err != nil {
			return published, deleted, r.s.wrap(err, "claim announcement %s", a.ID)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			a.AnnouncedVersion = a.Version
			published = append(published, a)
		}
	}
	return published, deleted, nil
}

func checkReaction(name string) error {
	if name == "" || len(name) > maxReactionName {
		return fmt.Errorf("announcement reaction %q: %w", name, storage.ErrInvalid)
	}
	return nil
}

func (r announcements) React(ctx context.Context, announcementID, accountID storage.ID, name string) (int64, error) {
	return r.react(ctx, announcementID, accountID, name, true)
}

func (r announcements) Unreact(ctx context.Context, announcementID, accountID storage.ID, name string) (int64, error) {
	return r.react(ctx, announcementID, accountID, name, false)
}

func (r announcements) react(ctx context.Context, announcementID, accountID storage.ID, name string, add bool) (int64, error) {
	if err := checkReaction(name); err != nil {
		return 0, err
	}
	var count int64
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.requireLiveAnnouncement(ctx, announcementID); err != nil {
			return err
		}
		var err error
		if add {
			_, err = ts.exec(ctx, "INSERT INTO announcement_reactions (announcement_id, account_id, name, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
				announcementID, accountID, name, ts.now())
		} else {
			_, err = ts.exec(ctx, "DELETE FROM announcement_reactions WHERE announcement_id = ? AND account_id = ? AND name = ?",
				announcementID, accountID, name)
		}
		if err != nil {
			return err
		}
		return ts.get(ctx, &count, "SELECT COUNT(*) FROM announcement_reactions WHERE announcement_id = ? AND name = ?", announcementID, name)
	})
	return count, r.s.wrap(err, "react %q to announcement %s", name, announcementID)
}

func (r announcements) Reactions(ctx context.Context, ids []storage.ID, viewer storage.ID) (map[storage.ID][]storage.AnnouncementReaction, error) {
	out := make(map[storage.ID][]storage.AnnouncementReaction, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		AnnouncementID storage.ID `db:"announcement_id"`
		Name           string     `db:"name"`
		Count          int64      `db:"n"`
		Me             int64      `db:"me"`
	}
	err := r.s.sel(ctx, &rows, `SELECT announcement_id, name, COUNT(*) AS n,
		SUM(CASE WHEN account_id = ? THEN 1 ELSE 0 END) AS me
		FROM announcement_reactions WHERE announcement_id IN (?) GROUP BY announcement_id, name`, viewer, ids)
	if err != nil {
		return nil, r.s.wrap(err, "announcement reactions")
	}
	for _, x := range rows {
		out[x.AnnouncementID] = append(out[x.AnnouncementID], storage.AnnouncementReaction{Name: x.Name, Count: x.Count, Me: viewer != 0 && x.Me > 0})
	}
	for _, rs := range out {
		sort.Slice(rs, func(i, j int) bool {
			if rs[i].Count != rs[j].Count {
				return rs[i].Count > rs[j].Count
			}
			return rs[i].Name < rs[j].Name
		})
	}
	return out, nil
}

// requireLiveAnnouncement returns storage.ErrNotFound unless announcement
// id exists, is published and is not deleted.
func (s *Store) requireLiveAnnouncement(ctx context.Context, id storage.ID) error {
	var live int64
	if err := s.get(ctx, &live, "SELECT COUNT(*) FROM announcements WHERE id = ? AND deleted_at IS NULL AND published = ?", id, true); err != nil {
		return err
	}
	if live == 0 {
		return storage.ErrNotFound
	}
	return nil
}

func (r announcements) Dismiss(ctx context.Context, announcementID, accountID storage.ID) error {
	err := r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if err := ts.requireLiveAnnouncement(ctx, announcementID); err != nil {
			return err
		}
		_, err := ts.exec(ctx, "INSERT INTO announcement_dismissals (announcement_id, account_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			announcementID, accountID, ts.now())
		return err
	})
	return r.s.wrap(err, "dismiss announcement %s", announcementID)
}

func (r announcements) Dismissed(ctx context.Context, accountID storage.ID, ids []storage.ID) (map[storage.ID]bool, error) {
	out := make(map[storage.ID]bool, len(ids))
	if len(ids) == 0 || accountID == 0 {
		return out, nil
	}
	var got []storage.ID
	err := r.s.sel(ctx, &got, "SELECT announcement_id FROM announcement_dismissals WHERE account_id = ? AND announcement_id IN (?)", accountID, ids)
	if err != nil {
		return nil, r.s.wrap(err, "dismissed announcements")
	}
	for _, id := range got {
		out[id] = true
	}
	return out, nil
}
