package social

import (
	"context"
	"errors"
	"fmt"

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
