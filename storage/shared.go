package storage

import "context"

type sharedRecordsKey struct{}

// WithSharedRecords returns a context in which the caller promises to treat
// every Account and Status it reads as read-only. A Store may then answer
// reads from its caches with the cached records themselves, shared with
// other callers, instead of copies: the hot read paths (timeline pages read
// twenty statuses and their authors per request) save the copies and their
// garbage. Whoever changes a record read under such a context corrupts what
// every other reader sees, so only code that renders records should use it.
func WithSharedRecords(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedRecordsKey{}, true)
}

// SharedRecords reports whether ctx carries the promise of
// WithSharedRecords.
func SharedRecords(ctx context.Context) bool {
	v, _ := ctx.Value(sharedRecordsKey{}).(bool)
	return v
}
