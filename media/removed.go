package media

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// DeleteCachedFiles deletes the cached files of remote attachments whose
// records were deleted (a remote edit removed them from their status).
// Local attachments and attachments whose record still exists are left
// alone: only files of records that are gone are deleted. A fetch still
// running for one of them finds its record gone and deletes what it stored.
func (f *Fetcher) DeleteCachedFiles(ctx context.Context, ms ...*storage.MediaAttachment) error {
	var errs []error
	for _, m := range ms {
		if m == nil || m.RemoteURL == "" || (m.FileKey == "" && m.PreviewKey == "") {
			continue
		}
		if _, err := f.svc.store.MediaAttachments().Get(ctx, m.ID); err == nil {
			continue
		} else if !errors.Is(err, storage.ErrNotFound) {
			errs = append(errs, fmt.Errorf("media: attachment %s: %w", m.ID, err))
			continue
		}
		if err := f.svc.deleteFiles(ctx, m); err != nil {
			errs = append(errs, fmt.Errorf("media: delete files of %s: %w", m.ID, err))
		}
	}
	return errors.Join(errs...)
}
