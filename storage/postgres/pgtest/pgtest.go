// Package pgtest opens PostgreSQL stores for tests: each on a fresh schema
// of the server named by HERD_TEST_POSTGRES_DSN, dropped when the test
// ends, so that tests of any package can run on PostgreSQL side by side.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
)

// EnvDSN names the environment variable that holds the test server's DSN.
const EnvDSN = "HERD_TEST_POSTGRES_DSN"

// Open opens a store on a fresh schema (its name starts with prefix) of
// the server named by HERD_TEST_POSTGRES_DSN, and skips the test when that
// is unset. The store is closed and the schema dropped when t ends.
func Open(t testing.TB, prefix string) storage.Store {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Skip(EnvDSN + " is not set")
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := prefix + hex.EncodeToString(b[:])
	admin, err := sqlx.Open("postgres", base)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	admin.SetMaxOpenConns(1)
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		_ = admin.Close()
		t.Fatalf("pgtest: create schema: %v", err)
	}
	s, err := postgres.Open(context.Background(), withSearchPath(base, schema), &postgres.Options{MaxConns: 8})
	if err != nil {
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = admin.Close()
		t.Fatalf("pgtest: open: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Close()
		_, _ = admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		_ = admin.Close()
	})
	return s
}

// withSearchPath returns dsn (a URL or key=value DSN) with its search_path
// set to schema.
func withSearchPath(dsn, schema string) string {
	if u, err := url.Parse(dsn); err == nil && strings.HasPrefix(dsn, "postgres") {
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " search_path=" + schema
}
