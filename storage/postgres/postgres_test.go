package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// The PostgreSQL tests run when HERD_TEST_POSTGRES_DSN names a server
// (scripts/pg-test-cluster.sh start prints one) and are skipped otherwise,
// unless HERD_TEST_REQUIRE_POSTGRES=1 (as CI sets): then a missing or
// unreachable server fails them.
const (
	envDSN     = "HERD_TEST_POSTGRES_DSN"
	envRequire = "HERD_TEST_REQUIRE_POSTGRES"
)

// reachable pings the server once per test binary.
var reachable = sync.OnceValues(func() (string, error) {
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		return "", fmt.Errorf("%s is not set", envDSN)
	}
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return "", fmt.Errorf("%s: %w", envDSN, err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		return "", fmt.Errorf("PostgreSQL at %s is unreachable: %w", redact(dsn), err)
	}
	return dsn, nil
})

// baseDSN returns the test server's DSN, skipping the test (or failing it
// when PostgreSQL is required) if there is none.
func baseDSN(t testing.TB) string {
	t.Helper()
	dsn, err := reachable()
	if err != nil {
		if os.Getenv(envRequire) == "1" {
			t.Fatalf("%s=1 but %v", envRequire, err)
		}
		t.Skipf("skipping PostgreSQL test: %v (set %s, e.g. from scripts/pg-test-cluster.sh start)", err, envDSN)
	}
	return dsn
}

func redact(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxx")
			return u.String()
		}
	}
	return dsn
}

// withSearchPath returns dsn with its search_path set to schema.
func withSearchPath(dsn, schema string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// freshSchema creates a uniquely named, empty schema, dropped when t ends,
// and returns a DSN whose search_path points at it.
func freshSchema(t testing.TB) string {
	t.Helper()
	base := baseDSN(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "herd_test_" + hex.EncodeToString(b[:])
	admin, err := sqlx.Open("postgres", base)
	require.NoError(t, err)
	admin.SetMaxOpenConns(1)
	_, err = admin.Exec("CREATE SCHEMA " + schema)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(base, schema)
}

// openFresh opens a migrated store on a fresh schema, closed when t ends.
func openFresh(t testing.TB) *postgres.Store {
	t.Helper()
	dsn := freshSchema(t)
	s, err := postgres.Open(context.Background(), dsn, &postgres.Options{MaxConns: 10})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func TestConformance(t *testing.T) {
	baseDSN(t)
	storagetest.Run(t, func(t *testing.T) storage.Store { return openFresh(t) })
}

func TestMigrationsIdempotent(t *testing.T) {
	ctx := t.Context()
	dsn := freshSchema(t)
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, ms)

	s, err := postgres.Open(ctx, dsn, &postgres.Options{SkipMigrations: true})
	require.NoError(t, err)
	ran, err := s.Migrate(ctx)
	require.NoError(t, err)
	require.Len(t, ran, len(ms), "the first Migrate applies every migration")
	ran, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, ran, "the second Migrate applies nothing")
	require.NoError(t, s.Close())

	s, err = postgres.Open(ctx, dsn, nil)
	require.NoError(t, err)
	defer s.Close()
	ran, err = s.Migrate(ctx)
	require.NoError(t, err)
	require.Empty(t, ran)
	var n int
	require.NoError(t, s.DB().GetContext(ctx, &n, "SELECT COUNT(*) FROM schema_migrations"))
	require.Equal(t, len(ms), n, "each migration is recorded once")
}

func TestMigrateConcurrently(t *testing.T) {
	// Several processes starting at once on an empty database: the advisory
	// lock lets one migrate while the others wait and then find nothing to do.
	ctx := t.Context()
	dsn := freshSchema(t)
	ms, err := postgres.Migrations()
	require.NoError(t, err)
	const n = 3
	stores := make([]*postgres.Store, n)
	for i := range stores {
		s, err := postgres.Open(ctx, dsn, &postgres.Options{SkipMigrations: true, MaxConns: 2})
		require.NoError(t, err)
		defer s.Close()
		stores[i] = s
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var applied []string
	errs := make([]error, n)
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ran, err := s.Migrate(ctx)
			errs[i] = err
			mu.Lock()
			applied = append(applied, ran...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.Len(t, applied, len(ms), "every migration applied exactly once")
}

func TestSurvivesReopen(t *testing.T) {
	ctx := t.Context()
	dsn := freshSchema(t)
	s, err := postgres.Open(ctx, dsn, nil)
	require.NoError(t, err)
	a := &storage.Account{Username: "durable", URI: "https://herd.example/users/durable"}
	require.NoError(t, s.Accounts().Create(ctx, a))
	require.NoError(t, s.Close())
	s, err = postgres.Open(ctx, dsn, nil)
	require.NoError(t, err)
	defer s.Close()
	got, err := s.Accounts().Get(ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	// Port 1 on loopback refuses connections.
	_, err := postgres.Open(ctx, "postgres://herd@127.0.0.1:1/herd?sslmode=disable&connect_timeout=2", nil)
	require.Error(t, err)
	require.Contains(t, err.Error(), "postgres: connect")
}

// TestMigrationsInStep needs no server: both backends ship the same
// migrations, version for version and name for name.
func TestMigrationsInStep(t *testing.T) {
	pg, err := postgres.Migrations()
	require.NoError(t, err)
	lite, err := sqlite.Migrations()
	require.NoError(t, err)
	var pgNames, liteNames []string
	for _, m := range pg {
		pgNames = append(pgNames, fmt.Sprintf("%04d %s", m.Version, m.Name))
	}
	for _, m := range lite {
		liteNames = append(liteNames, fmt.Sprintf("%04d %s", m.Version, m.Name))
	}
	require.NotEmpty(t, pgNames)
	require.Equal(t, liteNames, pgNames, "storage/sqlite/migrations and storage/postgres/migrations must list the same migrations")
}

// schemaColumn is a column as the schema-in-step test compares it.
type schemaColumn struct {
	table, name, class string
	notNull            bool
}

func (c schemaColumn) String() string {
	null := "NULL"
	if c.notNull {
		null = "NOT NULL"
	}
	return fmt.Sprintf("column %s.%s %s %s", c.table, c.name, c.class, null)
}

// typeClass maps a declared column type of either database to a class.
func typeClass(decl string) string {
	switch strings.ToLower(strings.TrimSpace(decl)) {
	case "integer", "bigint", "smallint", "int", "int8", "int4":
		return "integer"
	case "text", "character varying", "varchar":
		return "text"
	case "boolean", "bool":
		return "bool"
	case "blob", "bytea":
		return "bytes"
	case "real", "double precision", "float", "float8", "float4":
		return "float"
	case "datetime", "timestamp", "timestamptz", "timestamp with time zone", "timestamp without time zone":
		return "timestamp"
	}
	return "unknown(" + decl + ")"
}

// sqliteSchema lists the columns and indexes of an SQLite database.
func sqliteSchema(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var tables []string
	require.NoError(t, db.Select(&tables, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"))
	var out []string
	for _, tbl := range tables {
		out = append(out, "table "+tbl)
		var cols []struct {
			CID     int     `db:"cid"`
			Name    string  `db:"name"`
			Type    string  `db:"type"`
			NotNull bool    `db:"notnull"`
			Default *string `db:"dflt_value"`
			PK      int     `db:"pk"`
		}
		require.NoError(t, db.Select(&cols, "PRAGMA table_info("+tbl+")"))
		for _, c := range cols {
			// Primary key columns cannot be NULL in PostgreSQL; SQLite
			// reports them nullable unless declared NOT NULL.
			out = append(out, schemaColumn{tbl, c.Name, typeClass(c.Type), c.NotNull || c.PK > 0}.String())
		}
		var idx []struct {
			Seq     int    `db:"seq"`
			Name    string `db:"name"`
			Unique  bool   `db:"unique"`
			Origin  string `db:"origin"`
			Partial bool   `db:"partial"`
		}
		require.NoError(t, db.Select(&idx, "PRAGMA index_list("+tbl+")"))
		for _, i := range idx {
			if i.Origin == "pk" {
				continue // the primary key's own index
			}
			out = append(out, indexLine(tbl, i.Name, i.Unique))
		}
	}
	sort.Strings(out)
	return out
}

func indexLine(table, name string, unique bool) string {
	kind := "index"
	if unique {
		kind = "unique index"
	}
	return fmt.Sprintf("%s %s on %s", kind, name, table)
}

// postgresSchema lists the columns and indexes of the current schema.
func postgresSchema(t *testing.T, db *sqlx.DB) []string {
	t.Helper()
	var out []string
	var tables []string
	require.NoError(t, db.Select(&tables, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`))
	for _, tbl := range tables {
		out = append(out, "table "+tbl)
	}
	var cols []struct {
		Table    string `db:"table_name"`
		Name     string `db:"column_name"`
		Type     string `db:"data_type"`
		Nullable string `db:"is_nullable"`
	}
	require.NoError(t, db.Select(&cols, `SELECT table_name, column_name, data_type, is_nullable
		FROM information_schema.columns WHERE table_schema = current_schema()`))
	for _, c := range cols {
		out = append(out, schemaColumn{c.Table, c.Name, typeClass(c.Type), c.Nullable == "NO"}.String())
	}
	var idx []struct {
		Name   string `db:"index_name"`
		Table  string `db:"table_name"`
		Unique bool   `db:"indisunique"`
	}
	require.NoError(t, db.Select(&idx, `SELECT i.relname AS index_name, c.relname AS table_name, x.indisunique
		FROM pg_index x
		JOIN pg_class i ON i.oid = x.indexrelid
		JOIN pg_class c ON c.oid = x.indrelid
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = current_schema() AND NOT x.indisprimary`))
	for _, i := range idx {
		out = append(out, indexLine(i.Table, i.Name, i.Unique))
	}
	sort.Strings(out)
	return out
}

// diffLines lists the lines of a and b that the other lacks.
func diffLines(aName string, a []string, bName string, b []string) string {
	inA, inB := map[string]bool{}, map[string]bool{}
	for _, l := range a {
		inA[l] = true
	}
	for _, l := range b {
		inB[l] = true
	}
	var sb strings.Builder
	for _, l := range a {
		if !inB[l] {
			fmt.Fprintf(&sb, "  only in %-8s %s\n", aName+":", l)
		}
	}
	for _, l := range b {
		if !inA[l] {
			fmt.Fprintf(&sb, "  only in %-8s %s\n", bName+":", l)
		}
	}
	return sb.String()
}

// TestSchemaInStep migrates both backends and compares their tables, column
// names, nullability and type classes, and index names.
func TestSchemaInStep(t *testing.T) {
	pg := openFresh(t)
	lite, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herd.db"), nil)
	require.NoError(t, err)
	defer lite.Close()

	liteSchema := sqliteSchema(t, lite.DB())
	pgSchema := postgresSchema(t, pg.DB())
	require.NotEmpty(t, liteSchema)
	for _, l := range append(append([]string{}, liteSchema...), pgSchema...) {
		require.NotContains(t, l, "unknown(", "a column type without a class: add it to typeClass")
	}
	if d := diffLines("sqlite", liteSchema, "postgres", pgSchema); d != "" {
		t.Errorf("the SQLite and PostgreSQL schemas differ (keep the migrations of both backends in step):\n%s", d)
	}
}

// TestSchemaDiff checks the readable diff of the schema-in-step test.
func TestSchemaDiff(t *testing.T) {
	a := []string{"table x", schemaColumn{"x", "id", "integer", true}.String(), schemaColumn{"x", "b", "bool", false}.String()}
	b := []string{"table x", schemaColumn{"x", "id", "integer", true}.String(), schemaColumn{"x", "b", "integer", false}.String(), indexLine("x", "x_b", true)}
	d := diffLines("sqlite", a, "postgres", b)
	require.Equal(t, "  only in sqlite:  column x.b bool NULL\n"+
		"  only in postgres: column x.b integer NULL\n"+
		"  only in postgres: unique index x_b on x\n", d)
	require.Empty(t, diffLines("sqlite", a, "postgres", a))
	require.Equal(t, "timestamp", typeClass("timestamp with time zone"))
	require.Equal(t, "bool", typeClass("BOOLEAN"))
}

func ExampleOpen() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, "postgres://herd@localhost/herd?sslmode=disable", nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer s.Close()
	n, err := s.Accounts().Count(ctx, storage.AccountFilter{Origin: "local"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("local accounts:", n)
}
