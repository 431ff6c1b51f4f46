// Package storage defines Herd's persistent records and the store interfaces
// that the rest of the framework is written against.
//
// A Store is composed of small per-entity interfaces (Accounts, Statuses,
// Follows, …). Two backends ship with Herd: storage/sqlite, the embedded
// default built on the pure-Go modernc.org/sqlite driver, and
// storage/postgres, built on github.com/lib/pq and github.com/jmoiron/sqlx.
// Both pass the conformance suite in storage/storagetest; a third-party
// backend is written by implementing Store and running that suite:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store { return openMyStore(t) })
//	}
//
// # Identifiers
//
// Every record is identified by an ID: a 64-bit, time-ordered number
// (milliseconds since the Unix epoch in the upper 48 bits, a node and
// sequence number in the lower 16), rendered as a decimal string. IDs sort in
// creation order, so they double as pagination cursors.
//
// # Pagination
//
// List methods take a Page with MaxID, SinceID, MinID and Limit, with the
// semantics of the Mastodon API: results are returned newest first; MaxID
// bounds from above, SinceID from below (keeping the newest results), and
// MinID from below keeping the results immediately newer than MinID.
//
// # Results
//
// Methods that return a list (List, GetMany, ByAccount, Page …) return a
// non-nil, possibly empty slice, and methods that return a map a non-nil
// map, so that an empty result serialises as [] or {}. The list fields of
// records read back (Fields, Tags, Mentions, MediaIDs …) are likewise never
// nil, and times are in UTC with microsecond precision.
//
// # Shared records
//
// Records returned are the caller's to change, unless the context carries
// WithSharedRecords: a caller that only reads and renders what it loads (the
// timeline handlers) may then receive records a backend shares with its
// caches and with other callers, which saves copying them.
//
// # Errors
//
// Backends wrap ErrNotFound when a record does not exist and ErrConflict when
// a uniqueness constraint is violated; test with errors.Is.
package storage
