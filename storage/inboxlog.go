package storage

import (
	"context"
	"time"
)

// InboxLog records the ids of inbound activities already processed, so that
// an inbox processes each activity once however often it is delivered
// (peers retry, and shared-inbox deliveries may overlap).
type InboxLog interface {
	// MarkProcessed records activityID as processed at at. first is true
	// when the id was not recorded before: the caller then owns its
	// processing. Concurrent calls with the same id report first to one
	// caller only.
	MarkProcessed(ctx context.Context, activityID string, at time.Time) (first bool, err error)
	// Forget removes the record of activityID (when processing it failed
	// and the sender should be able to retry). Forgetting an unknown id is
	// not an error.
	Forget(ctx context.Context, activityID string) error
	// Prune removes the records processed before before and returns how
	// many it removed.
	Prune(ctx context.Context, before time.Time) (int64, error)
}
