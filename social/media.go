package social

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/herd-social/herd/storage"
)

// attachMedia attaches a local status's MediaIDs to it inside the status's
// transaction, so that two posts racing for one upload cannot both keep
// it: the loser's transaction fails with a ValidationError on media_ids.
func attachMedia(ctx context.Context, tx storage.Store, st *storage.Status) error {
	if len(st.MediaIDs) == 0 {
		return nil
	}
	err := tx.MediaAttachments().Attach(ctx, st.MediaIDs, st.ID, st.AccountID)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrConflict):
		return invalid("media_ids", "Media attachments are invalid")
	}
	return fmt.Errorf("attach media: %w", err)
}

// applyMediaAttributes applies the media_attributes of an edit to the
// author's attachments among ids; changed reports a new description or
// focal point (as on Mastodon, where the focus lives in the file's meta).
func applyMediaAttributes(ctx context.Context, tx storage.Store, author *storage.Account, ids []storage.ID, attrs []MediaAttribute) (changed bool, err error) {
	for _, a := range attrs {
		if a.Description == nil && a.Focus == nil {
			continue
		}
		if !slices.Contains(ids, a.ID) {
			return false, invalid("media_attributes", "attachment %s is not among media_ids", a.ID)
		}
		m, err := tx.MediaAttachments().Get(ctx, a.ID)
		if errors.Is(err, storage.ErrNotFound) || (err == nil && m.AccountID != author.ID) {
			return false, invalid("media_ids", "Media attachments are invalid")
		} else if err != nil {
			return false, fmt.Errorf("load media %s: %w", a.ID, err)
		}
		dirty := false
		if a.Description != nil && *a.Description != m.Description {
			m.Description, changed, dirty = *a.Description, true, true
		}
		if a.Focus != nil && (a.Focus.X != m.FocusX || a.Focus.Y != m.FocusY) {
			m.FocusX, m.FocusY, changed, dirty = a.Focus.X, a.Focus.Y, true, true
		}
		if dirty {
			if err := tx.MediaAttachments().Update(ctx, m); err != nil {
				return false, fmt.Errorf("update media %s: %w", a.ID, err)
			}
		}
	}
	return changed, nil
}
