package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

// MediaAttachments implements storage.Store.
func (s *Store) MediaAttachments() storage.MediaAttachments { return mediaAttachments{s} }

type mediaAttachments struct{ s *Store }

var (
	mediaCols = selectList(&storage.MediaAttachment{}, "")
	// mediaUpdateCols are the columns Update writes.
	mediaUpdateCols = []string{"type", "state", "file_key", "preview_key", "content_type", "size", "remote_url",
		"description", "focus_x", "focus_y", "blurhash", "meta", "processing_error", "updated_at"}
)

// maxMediaList bounds the listings of ListUnattached and ListRemoteCached.
const maxMediaList = 1000

func checkMedia(m *storage.MediaAttachment) error {
	if m.AccountID == 0 {
		return fmt.Errorf("media attachment: account is required: %w", storage.ErrInvalid)
	}
	if !m.Type.Valid() {
		return fmt.Errorf("media attachment: type %q: %w", m.Type, storage.ErrInvalid)
	}
	if !m.State.Valid() {
		return fmt.Errorf("media attachment: state %q: %w", m.State, storage.ErrInvalid)
	}
	if !m.Purpose.Valid() {
		return fmt.Errorf("media attachment: purpose %q: %w", m.Purpose, storage.ErrInvalid)
	}
	return nil
}

func (r mediaAttachments) Create(ctx context.Context, m *storage.MediaAttachment) error {
	if m.Type == "" {
		m.Type = storage.MediaUnknown
	}
	if m.State == "" {
		m.State = storage.MediaProcessing
	}
	if err := checkMedia(m); err != nil {
		return err
	}
	r.s.stampNew(&m.ID, &m.CreatedAt, &m.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "media_attachments", m), "create media attachment %s", m.ID)
}

func (r mediaAttachments) Get(ctx context.Context, id storage.ID) (*storage.MediaAttachment, error) {
	var m storage.MediaAttachment
	err := r.s.get(ctx, &m, "SELECT "+mediaCols+" FROM media_attachments WHERE id = ?", id)
	if err != nil {
		return nil, r.s.wrap(err, "get media attachment %s", id)
	}
	return &m, nil
}

func (r mediaAttachments) GetMany(ctx context.Context, ids []storage.ID) ([]*storage.MediaAttachment, error) {
	out := []*storage.MediaAttachment{}
	if len(ids) == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+mediaCols+" FROM media_attachments WHERE id IN (?) ORDER BY id", ids)
	return out, r.s.wrap(err, "get %d media attachments", len(ids))
}

func (r mediaAttachments) ByStatus(ctx context.Context, statusID storage.ID) ([]*storage.MediaAttachment, error) {
	out := []*storage.MediaAttachment{}
	if statusID == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+mediaCols+" FROM media_attachments WHERE status_id = ? ORDER BY id", statusID)
	return out, r.s.wrap(err, "media attachments of status %s", statusID)
}

func (r mediaAttachments) Update(ctx context.Context, m *storage.MediaAttachment) error {
	if err := checkMedia(m); err != nil {
		return err
	}
	m.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "media_attachments", "id", m, mediaUpdateCols), "update media attachment %s", m.ID)
}

func (r mediaAttachments) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM media_attachments WHERE id = ?", id), "delete media attachment %s", id)
}

func (r mediaAttachments) Attach(ctx context.Context, ids []storage.ID, statusID, accountID storage.ID) error {
	if len(ids) == 0 {
		return nil
	}
	if statusID == 0 || accountID == 0 {
		return fmt.Errorf("attach media: status and account are required: %w", storage.ErrInvalid)
	}
	uniq := make([]storage.ID, 0, len(ids))
	seen := make(map[storage.ID]bool, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		var rows []struct {
			ID        storage.ID `db:"id"`
			AccountID storage.ID `db:"account_id"`
			StatusID  storage.ID `db:"status_id"`
			Purpose   string     `db:"purpose"`
		}
		// Read through the writer: inside the transaction, so that the
		// check and the update see the same rows.
		q, args, _, err := expand("SELECT id, account_id, status_id, purpose FROM media_attachments WHERE id IN (?)", []any{uniq})
		if err == nil {
			err = selectW(ctx, ts, &rows, q, args...)
		}
		if err != nil {
			return ts.wrap(err, "attach media to status %s", statusID)
		}
		found := 0
		for _, row := range rows {
			if row.AccountID != accountID || row.Purpose != "" {
				continue // profile images are not status media
			}
			if row.StatusID != 0 && row.StatusID != statusID {
				return fmt.Errorf("attach media %s to status %s: attached to status %s: %w", row.ID, statusID, row.StatusID, storage.ErrConflict)
			}
			found++
		}
		if found != len(uniq) {
			return fmt.Errorf("attach media to status %s: %d of %d attachments not found for account %s: %w",
				statusID, len(uniq)-found, len(uniq), accountID, storage.ErrNotFound)
		}
		_, err = ts.exec(ctx, "UPDATE media_attachments SET status_id = ?, updated_at = ? WHERE id IN (?) AND account_id = ?",
			statusID, ts.now(), uniq, accountID)
		return ts.wrap(err, "attach media to status %s", statusID)
	})
}

// selectW runs a query on the store's writer (its transaction, inside Tx).
func selectW(ctx context.Context, s *Store, dst any, q string, args ...any) error {
	if err := sqlxSelect(ctx, s, dst, q, args...); err != nil {
		return err
	}
	fixTimes(dst)
	return nil
}

func (r mediaAttachments) ListUnattached(ctx context.Context, olderThan time.Time, limit int) ([]*storage.MediaAttachment, error) {
	out := []*storage.MediaAttachment{}
	err := r.s.sel(ctx, &out, "SELECT "+mediaCols+" FROM media_attachments WHERE status_id IS NULL AND purpose = '' AND scheduled_status_id IS NULL AND created_at < ? ORDER BY created_at, id LIMIT ?",
		norm(olderThan), mediaLimit(limit))
	return out, r.s.wrap(err, "list unattached media")
}

// remoteCached is the condition selecting remote media with cached files.
const remoteCached = "remote_url <> '' AND (file_key <> '' OR preview_key <> '') AND created_at < ?"

func (r mediaAttachments) ListRemoteCached(ctx context.Context, olderThan time.Time, limit int) ([]*storage.MediaAttachment, error) {
	out := []*storage.MediaAttachment{}
	err := r.s.sel(ctx, &out, "SELECT "+mediaCols+" FROM media_attachments WHERE "+remoteCached+" ORDER BY created_at, id LIMIT ?",
		norm(olderThan), mediaLimit(limit))
	return out, r.s.wrap(err, "list cached remote media")
}

func (r mediaAttachments) CountRemoteCached(ctx context.Context, olderThan time.Time) (int64, error) {
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM media_attachments WHERE "+remoteCached, norm(olderThan))
	return n, r.s.wrap(err, "count cached remote media")
}

func mediaLimit(limit int) int {
	if limit <= 0 || limit > maxMediaList {
		return maxMediaList
	}
	return limit
}

func sqlxSelect(ctx context.Context, s *Store, dst any, q string, args ...any) error {
	return sqlx.SelectContext(ctx, s.w, dst, s.w.Rebind(q), args...)
}
