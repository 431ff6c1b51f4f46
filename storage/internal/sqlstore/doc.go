// Package sqlstore is the SQL implementation of storage.Store shared by the
// SQLite and PostgreSQL backends. Queries are written once with `?`
// placeholders and rebound for each driver; the few places where the two
// dialects differ are switched on Dialect.
//
// Two caches make the hot reads cheap (see stmtcache.go and
// recordcache.go): every query text is prepared once per database and
// reused, and accounts, statuses (by ID), users (by account), each
// account's blocks, mutes, blocked domains and muted threads, the newest
// entries of each home and list feed (feedcache.go) and each viewer's
// favourited/boosted/bookmarked/pinned states (viewerstatecache.go) are kept
// in memory for Config.RecordCacheTTL (DefaultRecordCacheTTL, 2 s). The
// record cache is exact for the store's own writes; writes by another
// process sharing the database are seen after at most the TTL. Under
// storage.WithSharedRecords, cached accounts and statuses are returned
// without being copied.
package sqlstore
