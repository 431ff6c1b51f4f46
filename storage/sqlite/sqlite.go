// Package sqlite is Herd's embedded storage backend: a storage.Store on
// SQLite through the pure-Go modernc.org/sqlite driver, so the herd binary
// needs no C toolchain and no database server.
//
// The database runs in WAL mode with foreign keys on. Writes and
// transactions go through a single connection, so writers queue in Go
// instead of failing with SQLITE_BUSY; reads use a pool of connections that
// proceed in parallel with the writer.
package sqlite

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"

	"github.com/jmoiron/sqlx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Migrations returns the embedded schema migrations, oldest first.
func Migrations() ([]sqlstore.Migration, error) {
	return sqlstore.LoadMigrations(migrationFS, "migrations")
}

// Options tunes Open. The zero value is ready to use.
type Options struct {
	// MaxReaders bounds the read connections (default: 4 × GOMAXPROCS).
	MaxReaders int
	// SkipMigrations leaves the schema alone; call Migrate yourself.
	SkipMigrations bool
	// IDs generates record IDs; nil means a new generator.
	IDs *storage.IDGenerator
	// CheckSharedRecords makes the store verify that no reader changes
	// records shared under storage.WithSharedRecords (panicking if one
	// does); for tests.
	CheckSharedRecords bool
}

// Store is a storage.Store on an SQLite database file.
type Store struct {
	*sqlstore.Store
	path string
	w, r *sqlx.DB
}

var _ storage.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database at path and applies
// pending migrations. The directory must exist and be writable.
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if st, err := os.Stat(dir); err != nil {
			return nil, fmt.Errorf("sqlite: database directory %s: %w", dir, err)
		} else if !st.IsDir() {
			return nil, fmt.Errorf("sqlite: %s is not a directory", dir)
		}
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	q.Set("_timezone", "UTC")
	wq := url.Values{}
	for k, v := range q {
		wq[k] = append([]string(nil), v...)
	}
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Set("_txlock", "immediate")
	w, err := sqlx.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// A write probe gives a clear error for a read-only file or directory.
	if _, err := w.ExecContext(ctx, "CREATE TABLE IF NOT EXISTS herd_probe (x INTEGER); DROP TABLE herd_probe"); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: %s is not writable: %w", path, err)
	}
	r, err := sqlx.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	readers := opts.MaxReaders
	if readers <= 0 {
		readers = 4 * runtime.GOMAXPROCS(0)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s := &Store{path: path, w: w, r: r}
	s.Store = sqlstore.New(sqlstore.Config{
		Dialect:  sqlstore.SQLite,
		Reader:   r,
		Writer:   w,
		IsUnique: isUnique,
		IDs:      opts.IDs,

		CheckSharedRecords: opts.CheckSharedRecords,
		Close: func() error {
			return errors.Join(r.Close(), w.Close())
		},
	})
	if !opts.SkipMigrations {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Migrate applies pending migrations and returns the names of those applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	ran, err := sqlstore.Migrate(ctx, s.w, sqlstore.SQLite, ms)
	if err != nil {
		return ran, fmt.Errorf("sqlite: %w", err)
	}
	return ran, nil
}

// Path returns the database file path.
func (s *Store) Path() string { return s.path }

// DB returns the writing database handle (a single connection), for
// packages that keep tables of their own in the same file.
func (s *Store) DB() *sqlx.DB { return s.w }

func isUnique(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return true
		}
	}
	return false
}
