// Package sqlstore is the SQL implementation of storage.Store shared by the
// SQLite and PostgreSQL backends. Queries are written once with `?`
// placeholders and rebound for each driver; the few places where the two
// dialects differ are switched on Dialect.
package sqlstore
