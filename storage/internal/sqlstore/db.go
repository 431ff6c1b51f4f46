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
	// RecordCacheTTL bounds how long accounts and statuses read by ID are
	// kept in memory (see DefaultRecordCacheTTL): 0 means the default, a
	// negative value turns the cache off.
	RecordCacheTTL time.Duration
	// CheckSharedRecords makes the record cache verify, on every read,
	// that no caller changed a record it shared under
	// storage.WithSharedRecords (and panic if one did). It costs a deep
	// comparison per read: for tests.
	CheckSharedRecords bool
}

// Store implements storage.Store over SQL.
type Store struct {
	cfg *Config
	r   sqlx.ExtContext // reads
	w   sqlx.ExtContext // writes
	tx  *sqlx.Tx
	// rc and wc cache the prepared statements of the reader and the
	// writer (the same cache when they are the same database).
	rc, wc *stmtCache
	// cache keeps accounts and statuses by ID (nil: off); inval collects
	// what a transaction wrote, to drop from it when the transaction ends.
	cache *recordCaches
	inval *invalidation
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
	s := &Store{cfg: &c, r: c.Reader, w: c.Writer, cache: newRecordCaches(c.RecordCacheTTL, c.CheckSharedRecords)}
	if c.Writer != nil {
		s.wc = newStmtCache(c.Writer)
	}
	s.rc = s.wc
	if c.Reader != nil && c.Reader != c.Writer {
		s.rc = newStmtCache(c.Reader)
	}
	return s
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
	var errs []error
	if s.rc != nil && s.rc != s.wc {
		errs = append(errs, s.rc.close())
	}
	if s.wc != nil {
		errs = append(errs, s.wc.close())
	}
	if s.cfg.Close != nil {
		errs = append(errs, s.cfg.Close())
	}
	return errors.Join(errs...)
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
	ts := &Store{cfg: s.cfg, r: tx, w: tx, tx: tx, rc: s.wc, wc: s.wc, cache: s.cache, inval: &invalidation{}}
	// What the transaction wrote is dropped from the record caches once it
	// has ended, committed or not (this defer runs after the rollback).
	defer s.cache.apply(ts.inval)
	if s.wc != nil {
		// Statements first met inside the transaction are prepared once
		// it has ended and its connection is free (this defer runs last).
		defer s.wc.preparePending(context.WithoutCancel(ctx))
	}
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

// prepared returns the cached prepared statement for q, on the writer
// when write is set, else on the reader; inside a transaction, bound to it
// (the caller closes it). It returns nil when q is to run unprepared: the
// cache is full, the statement was not prepared yet inside a transaction,
// or preparing failed (running it unprepared then reports the error).
func (s *Store) prepared(ctx context.Context, write bool, q string) *sqlx.Stmt {
	if s.tx != nil {
		if s.wc == nil {
			return nil
		}
		st := s.wc.lookup(q)
		if st == nil {
			s.wc.deferPrepare(q)
			return nil
		}
		return s.tx.StmtxContext(ctx, st)
	}
	c := s.rc
	if write {
		c = s.wc
	}
	if c == nil {
		return nil
	}
	st, err := c.get(ctx, q)
	if err != nil {
		return nil
	}
	return st
}

// done releases a statement returned by prepared.
func (s *Store) done(st *sqlx.Stmt) {
	if s.tx != nil && st != nil {
		_ = st.Close()
	}
}

// get runs a single-row query on the reader, with slice arguments
// expanded for IN.
func (s *Store) get(ctx context.Context, dst any, q string, args ...any) error {
	q, args, cacheable, err := expand(q, args)
	if err != nil {
		return err
	}
	var st *sqlx.Stmt
	if cacheable {
		st = s.prepared(ctx, false, q)
	}
	if st != nil {
		err = st.GetContext(ctx, dst, args...)
		s.done(st)
	} else {
		err = sqlx.GetContext(ctx, s.r, dst, s.r.Rebind(q), args...)
	}
	if err != nil {
		return err
	}
	fixTimes(dst)
	return nil
}

// sel runs a query on the reader, with slice arguments expanded for IN.
func (s *Store) sel(ctx context.Context, dst any, q string, args ...any) error {
	q, args, cacheable, err := expand(q, args)
	if err != nil {
		return err
	}
	var st *sqlx.Stmt
	if cacheable {
		st = s.prepared(ctx, false, q)
	}
	if st != nil {
		err = st.SelectContext(ctx, dst, args...)
		s.done(st)
	} else {
		err = sqlx.SelectContext(ctx, s.r, dst, s.r.Rebind(q), args...)
	}
	if err != nil {
		return err
	}
	nonNilSlice(dst)
	fixTimes(dst)
	return nil
}

// execRaw runs an already expanded statement on the writer, prepared when
// it can be.
func (s *Store) execRaw(ctx context.Context, q string, cacheable bool, args []any) (sql.Result, error) {
	var st *sqlx.Stmt
	if cacheable {
		st = s.prepared(ctx, true, q)
	}
	if st != nil {
		res, err := st.ExecContext(ctx, args...)
		s.done(st)
		return res, err
	}
	return s.w.ExecContext(ctx, s.w.Rebind(q), args...)
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
	q, args, cacheable, err := expand(q, args)
	if err != nil {
		return nil, err
	}
	return s.execRaw(ctx, q, cacheable, args)
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
	_, err = s.execRaw(ctx, q, true, args)
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
	res, err := s.execRaw(ctx, q, true, args)
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
