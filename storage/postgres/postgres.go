// Package postgres is Herd's PostgreSQL storage backend: a storage.Store on
// github.com/lib/pq and github.com/jmoiron/sqlx, for communities that
// outgrow one machine. Several herd processes may share one database.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

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
	// MaxConns bounds the connection pool (default 20).
	MaxConns int
	// SkipMigrations leaves the schema alone; call Migrate yourself.
	SkipMigrations bool
	// IDs generates record IDs; nil means a new generator.
	IDs *storage.IDGenerator
	// CheckSharedRecords makes the store verify that no reader changes
	// records shared under storage.WithSharedRecords (panicking if one
	// does); for tests.
	CheckSharedRecords bool
}

// Store is a storage.Store on a PostgreSQL database.
type Store struct {
	*sqlstore.Store
	db *sqlx.DB
}

var _ storage.Store = (*Store)(nil)

// Open connects to the database named by dsn (a postgres:// URL or a
// key=value connection string) and applies pending migrations.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	if opts == nil {
		opts = &Options{}
	}
	dsn = withUTC(dsn)
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	max := opts.MaxConns
	if max <= 0 {
		max = 20
	}
	db.SetMaxOpenConns(max)
	db.SetMaxIdleConns(max)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	s := &Store{db: db}
	s.Store = sqlstore.New(sqlstore.Config{
		Dialect:  sqlstore.Postgres,
		Reader:   db,
		Writer:   db,
		IsUnique: isUnique,
		IDs:      opts.IDs,

		CheckSharedRecords: opts.CheckSharedRecords,
		Close:              db.Close,
	})
	if !opts.SkipMigrations {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// withUTC asks the server for UTC timestamps so that times read back are in time.UTC.
func withUTC(dsn string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return dsn
		}
		q := u.Query()
		if q.Get("timezone") == "" {
			q.Set("timezone", "UTC")
		}
		u.RawQuery = q.Encode()
		return u.String()
	}
	if !strings.Contains(dsn, "timezone=") {
		return strings.TrimSpace(dsn + " timezone=UTC")
	}
	return dsn
}

// Migrate applies pending migrations and returns the names of those applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	ms, err := Migrations()
	if err != nil {
		return nil, err
	}
	ran, err := sqlstore.Migrate(ctx, s.db, sqlstore.Postgres, ms)
	if err != nil {
		return ran, fmt.Errorf("postgres: %w", err)
	}
	return ran, nil
}

// DB returns the database handle, for packages that keep tables of their
// own in the same database (such as the delivery queue).
func (s *Store) DB() *sqlx.DB { return s.db }

func isUnique(err error) bool {
	var pe *pq.Error
	return errors.As(err, &pe) && pe.Code == "23505"
}
