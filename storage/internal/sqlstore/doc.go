// Package sqlstore is the SQL implementation of storage.Store shared by the
// SQLite and PostgreSQL backends. Queries are written once with `?`
// placeholders and rebound for each driver; the few places where the two
// dialects differ are switched on Dialect.
//
// Two caches make the hot reads cheap (see stmtcache.go and
// recordcache.go): every query text is prepared once per database and
// reused, and accounts, statuses (by ID), users (by account) and each
// account's blocks, mutes and blocked domains are kept in memory for
// Config.RecordCacheTTL (DefaultRecordCacheTTL, 2 s). The record cache is
// exact for the store's own writes; writes by another process sharing the
// database are seen after at most the TTL.
package sqlstore
