package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

// Dialect is the SQL flavour of a database.
type Dialect int

// Supported dialects.
const (
	SQLite Dialect = iota + 1
	Postgres
)

// Config wires a Store to its databases.
type Config struct {
	Dialect Dialect
	// Reader serves reads outside transactions; Writer serves writes and
	// transactions. They may be the same database (PostgreSQL); for SQLite
	// the writer holds a single connection so that writers queue in Go
	// rather than fail with SQLITE_BUSY.
	Reader, Writer *sqlx.DB
	// IsUnique reports whether err is a uniqueness violation.
	IsUnique func(err error) bool
	// IDs generates record IDs; nil means a new generator.
	IDs *storage.IDGenerator
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Close closes the databases.
	Close func() error
}

// Store implements storage.Store over SQL.
type Store struct {
	cfg *Config
	r   sqlx.ExtContext // reads
	w   sqlx.ExtContext // writes
	tx  *sqlx.Tx
}

var _ storage.Store = (*Store)(nil)

// New returns a Store over the configured databases.
func New(cfg Config) *Store {
	if cfg.IDs == nil {
		cfg.IDs = storage.NewIDGenerator()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	c := cfg
	return &Store{cfg: &c, r: c.Reader, w: c.Writer}
}

// Accounts implements storage.Store.
func (s *Store) Accounts() storage.Accounts { return accounts{s} }

// Users implements storage.Store.
func (s *Store) Users() storage.Users { return users{s} }

// Statuses implements storage.Store.
func (s *Store) Statuses() storage.Statuses { return statuses{s} }

// Follows implements storage.Store.
func (s *Store) Follows() storage.Follows { return follows{s} }

// Favourites implements storage.Store.
func (s *Store) Favourites() storage.Favourites { return favourites{s} }

// Bookmarks implements storage.Store.
func (s *Store) Bookmarks() storage.Bookmarks { return bookmarks{s} }

// Pins implements storage.Store.
func (s *Store) Pins() storage.Pins { return pins{s} }

// Notifications implements storage.Store.
func (s *Store) Notifications() storage.Notifications { return notifications{s} }

// OAuth implements storage.Store.
func (s *Store) OAuth() storage.OAuth { return oauth{s} }

// Instances implements storage.Store.
func (s *Store) Instances() storage.Instances { return instances{s} }

// Feeds implements storage.Store.
func (s *Store) Feeds() storage.Feeds { return feeds{s} }

// NewID implements storage.Store.
func (s *Store) NewID() storage.ID { return s.cfg.IDs.Next() }

// Ping implements storage.Store.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.cfg.Writer.PingContext(ctx); err != nil {
		return fmt.Errorf("ping database: %w", err)
	}
	return nil
}

// Close implements storage.Store.
func (s *Store) Close() error {
	if s.tx != nil {
		return errors.New("sqlstore: Close called inside a transaction")
	}
	if s.cfg.Close != nil {
		return s.cfg.Close()
	}
	return nil
}

// Dialect returns the store's SQL dialect.
func (s *Store) Dialect() Dialect { return s.cfg.Dialect }

// Writer returns the writing database, for packages (such as the delivery
// queue) that keep tables of their own beside the store's.
func (s *Store) Writer() *sqlx.DB { return s.cfg.Writer }

// Tx implements storage.Store.
func (s *Store) Tx(ctx context.Context, fn func(tx storage.Store) error) (err error) {
	if s.tx != nil {
		return fn(s)
	}
	tx, err := s.cfg.Writer.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	ts := &Store{cfg: s.cfg, r: tx, w: tx, tx: tx}
	finished := false
	defer func() {
		// fn returned an error, panicked (the panic goes on) or ended its
		// goroutine with runtime.Goexit (as t.FailNow does): roll back, so
		// that the connection is not left inside the transaction.
		if !finished {
			_ = tx.Rollback()
		}
	}()
	if err := fn(ts); err != nil {
		return err
	}
	finished = true
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}

// now returns the current time as stored: UTC, microsecond precision.
func (s *Store) now() time.Time { return norm(s.cfg.Now()) }

func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// wrap maps driver errors to the storage sentinels.
func (s *Store) wrap(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", msg, storage.ErrNotFound)
	case s.cfg.IsUnique != nil && s.cfg.IsUnique(err):
		return fmt.Errorf("%s: %w: %v", msg, storage.ErrConflict, err)
	}
	return fmt.Errorf("%s: %w", msg, err)
}

// get runs a single-row query on the reader.
func (s *Store) get(ctx context.Context, dst any, q string, args ...any) error {
	if err := sqlx.GetContext(ctx, s.r, dst, s.r.Rebind(q), args...); err != nil {
		return err
	}
	fixTimes(dst)
	return nil
}

// sel runs a query on the reader, with slice arguments expanded for IN.
func (s *Store) sel(ctx context.Context, dst any, q string, args ...any) error {
	q, args, err := expand(q, args)
	if err != nil {
		return err
	}
	if err := sqlx.SelectContext(ctx, s.r, dst, s.r.Rebind(q), args...); err != nil {
		return err
	}
	nonNilSlice(dst)
	fixTimes(dst)
	return nil
}

// nonNilSlice replaces a nil slice behind dst with an empty one, so that
// listings with no result read back as [] rather than nil.
func nonNilSlice(dst any) {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	if e := v.Elem(); e.Kind() == reflect.Slice && e.IsNil() {
		e.Set(reflect.MakeSlice(e.Type(), 0, 0))
	}
}

// exec runs a statement on the writer, with slice arguments expanded for IN.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	q, args, err := expand(q, args)
	if err != nil {
		return nil, err
	}
	return s.w.ExecContext(ctx, s.w.Rebind(q), args...)
}

// execAffected runs a statement and returns ErrNotFound when it changed no row.
func (s *Store) execAffected(ctx context.Context, q string, args ...any) error {
	res, err := s.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

func expand(q string, args []any) (string, []any, error) {
	for _, a := range args {
		switch a.(type) {
		case []storage.ID, []string, []int64:
			return sqlx.In(q, args...)
		}
	}
	return q, args, nil
}

// column is a value for a column that has no field in the record, such as
// the case-folded key of a username.
type column struct {
	name  string
	value any
}

// insert inserts rec (a pointer to a struct with db tags) into table, with
// the extra columns.
func (s *Store) insert(ctx context.Context, table string, rec any, extra ...column) error {
	cols := columnsOf(rec)
	var names, marks strings.Builder
	for _, e := range extra {
		names.WriteString(", " + e.name)
		marks.WriteString(", ?")
	}
	q := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + names.String() +
		") VALUES (:" + strings.Join(cols, ", :") + marks.String() + ")"
	q, args, err := sqlxNamed(q, rec)
	if err != nil {
		return err
	}
	for _, e := range extra {
		args = append(args, e.value)
	}
	_, err = s.w.ExecContext(ctx, s.w.Rebind(q), args...)
	return err
}

// update writes the given columns of rec, and the extra columns, (by id, or
// key column) in table.
func (s *Store) update(ctx context.Context, table, key string, rec any, cols []string, extra ...column) error {
	set := make([]string, 0, len(cols)+len(extra))
	for _, c := range cols {
		set = append(set, c+" = :"+c)
	}
	for _, e := range extra {
		set = append(set, e.name+" = ?")
	}
	q := "UPDATE " + table + " SET " + strings.Join(set, ", ") + " WHERE " + key + " = :" + key
	q, args, err := sqlxNamed(q, rec)
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		// The key is the last bound argument; the extra values go before it.
		keyArg := args[len(args)-1]
		args = args[:len(args)-1]
		for _, e := range extra {
			args = append(args, e.value)
		}
		args = append(args, keyArg)
	}
	res, err := s.w.ExecContext(ctx, s.w.Rebind(q), args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

var columnCache sync.Map // reflect.Type -> []string

// columnsOf lists the db-tagged fields of a struct (or pointer to one).
func columnsOf(rec any) []string {
	t := reflect.TypeOf(rec)
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if c, ok := columnCache.Load(t); ok {
		return c.([]string)
	}
	var cols []string
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("db"); tag != "" && tag != "-" {
			cols = append(cols, tag)
		}
	}
	columnCache.Store(t, cols)
	return cols
}

// selectList is "col1, col2, …" for a record type, prefixed by alias.
func selectList(rec any, alias string) string {
	cols := columnsOf(rec)
	if alias == "" {
		return strings.Join(cols, ", ")
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + "." + c
	}
	return strings.Join(out, ", ")
}

var (
	timeType    = reflect.TypeOf(time.Time{})
	timePtrType = reflect.TypeOf(&time.Time{})
)

// fixTimes sets every time.Time field of the scanned records to UTC, so that
// records read back from either driver compare equal.
func fixTimes(dst any) {
	v := reflect.ValueOf(dst)
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			fixTimesValue(v.Index(i))
		}
	case reflect.Struct:
		fixTimesValue(v)
	}
}

func fixTimesValue(v reflect.Value) {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		switch f.Type() {
		case timeType:
			t := f.Interface().(time.Time)
			f.Set(reflect.ValueOf(t.UTC()))
		case timePtrType:
			if !f.IsNil() {
				t := f.Elem().Interface().(time.Time).UTC()
				f.Set(reflect.ValueOf(&t))
			}
		}
	}
}

// pageClause appends the keyset conditions of p on column col to the where
// clauses and returns the ORDER BY/LIMIT suffix.
func pageClause(where []string, args []any, col string, p storage.Page) ([]string, []any, string) {
	p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
	if p.MaxID != 0 {
		where = append(where, col+" < ?")
		args = append(args, p.MaxID)
	}
	switch {
	case p.MinID != 0:
		where = append(where, col+" > ?")
		args = append(args, p.MinID)
	case p.SinceID != 0:
		where = append(where, col+" > ?")
		args = append(args, p.SinceID)
	}
	dir := "DESC"
	if p.Ascending() {
		dir = "ASC"
	}
	return where, append(args, p.Limit), fmt.Sprintf(" ORDER BY %s %s LIMIT ?", col, dir)
}

func whereSQL(where []string) string {
	if len(where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(where, " AND ")
}

// reverse reverses a slice in place (ascending pages are returned newest first).
func reverse[T any](s []T) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// listPage runs a paged query over table and returns the rows newest first.
func listPage[T any](ctx context.Context, s *Store, table string, where []string, args []any, col string, p storage.Page) ([]*T, error) {
	var zero T
	where, args, suffix := pageClause(where, args, col, p)
	q := "SELECT " + selectList(&zero, "") + " FROM " + table + whereSQL(where) + suffix
	var out []*T
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, err
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}

func sqlxNamed(q string, rec any) (string, []any, error) { return sqlx.Named(q, rec) }
