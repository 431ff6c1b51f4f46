package sqlstore

import (
	"time"

	"github.com/herd-social/herd/storage"
)

// stampNew fills in what a record being created lacks: a new ID, now for
// its creation time and its creation time for its update time. Both times
// come back normalised (see norm).
func (s *Store) stampNew(id *storage.ID, created, updated *time.Time) {
	if *id == 0 {
		*id = s.NewID()
	}
	if created.IsZero() {
		*created = s.now()
	}
	if updated.IsZero() {
		*updated = *created
	}
	*created, *updated = norm(*created), norm(*updated)
}
