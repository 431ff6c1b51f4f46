package sqlstore

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/jmoiron/sqlx"

	"github.com/herd-social/herd/storage"
)

// Every query the store runs is prepared once per database (and, lazily,
// once per connection by database/sql) and kept, so that the database does
// not parse and plan the same text on every call: on SQLite compiling a
// statement cost more than running it for the primary-key lookups that
// timelines are made of.
//
// The cache is keyed by the query text before rebinding. Lists bound to
// IN (?) are padded to a few bucket sizes (by repeating their first
// element, which IN ignores), so that lists of any length map to a handful
// of statements rather than one per length.
//
// On PostgreSQL the statements are per-connection server-side prepared
// statements: a pooler in transaction mode (PgBouncer before 1.21) does not
// keep them and must not sit between herd and the database, and a schema
// change made by another process while this one runs (a rolling upgrade)
// can fail a cached statement with "cached plan must not change result
// type" until the process restarts: migrate before starting the new
// processes.

// maxCachedStmts bounds the statements kept per database; queries beyond
// it run unprepared. The store issues a few hundred distinct texts at most.
const maxCachedStmts = 1024

// maxPaddedList is the longest IN list that is padded and cached; longer
// lists (rare: bulk deletes) run as they are.
const maxPaddedList = 512

// stmtCache holds the prepared statements of one database.
type stmtCache struct {
	db *sqlx.DB

	mu    sync.RWMutex
	stmts map[string]*sqlx.Stmt
	// pending lists queries first met inside a transaction, when the
	// database's only connection may be the transaction's: they are
	// prepared after it ends.
	pending map[string]bool
	closed  bool
}

func newStmtCache(db *sqlx.DB) *stmtCache {
	return &stmtCache{db: db, stmts: map[string]*sqlx.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the cached statement for q, or nil.
func (c *stmtCache) lookup(q string) *sqlx.Stmt {
	c.mu.RLock()
	st := c.stmts[q]
	c.mu.RUnlock()
	return st
}

// get returns the statement for q, preparing it when it is new; nil (and
// no error) when the cache is full, so that the caller runs q unprepared.
// It must not be called inside a transaction on this database (the
// preparation may need a connection the transaction holds).
func (c *stmtCache) get(ctx context.Context, q string) (*sqlx.Stmt, error) {
	if st := c.lookup(q); st != nil {
		return st, nil
	}
	c.mu.RLock()
	full := c.closed || len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if full {
		return nil, nil
	}
	// Prepare without holding the lock: it may wait for a connection.
	st, err := c.db.PreparexContext(ctx, c.db.Rebind(q))
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.stmts[q]; old != nil || c.closed || len(c.stmts) >= maxCachedStmts {
		// Another goroutine won, or the cache filled or closed meanwhile.
		_ = st.Close()
		return old, nil
	}
	c.stmts[q] = st
	delete(c.pending, q)
	return st, nil
}

// defer notes q, met inside a transaction, for preparePending.
func (c *stmtCache) deferPrepare(q string) {
	c.mu.Lock()
	if !c.closed && len(c.pending) < maxCachedStmts && c.stmts[q] == nil {
		c.pending[q] = true
	}
	c.mu.Unlock()
}

// preparePending prepares the queries noted inside transactions. Errors
// are dropped: the query then keeps running unprepared.
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	qs := make([]string, 0, len(c.pending))
	for q := range c.pending {
		qs = append(qs, q)
	}
	clear(c.pending)
	c.mu.Unlock()
	for _, q := range qs {
		if _, err := c.get(ctx, q); err != nil {
			continue
		}
	}
}

// close closes every statement; later lookups miss and nothing more is
// cached.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	var errs []error
	for q, st := range c.stmts {
		errs = append(errs, st.Close())
		delete(c.stmts, q)
	}
	return errors.Join(errs...)
}

// len reports how many statements are cached.
func (c *stmtCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.stmts)
}

// listBucket returns the length an IN list of n elements is padded to.
func listBucket(n int) int {
	switch {
	case n <= 4:
		return n
	case n <= 8:
		return 8
	}
	// Steps of about 1.5×: 12, 16, 24, 32, 48, 64, 96, 128, …
	b := 8
	for {
		if h := b + b/2; n <= h {
			return h
		} else if n <= 2*b {
			return 2 * b
		}
		b *= 2
	}
}

// expand rewrites each ? bound to a list ([]storage.ID, []string, []int64)
// into a list of placeholders, padded as listBucket says. cacheable is
// false when a list was too long to pad. An empty list is an error, as
// with sqlx.In.
func expand(q string, args []any) (out string, outArgs []any, cacheable bool, err error) {
	hasList := false
	for _, a := range args {
		switch a.(type) {
		case []storage.ID, []string, []int64:
			hasList = true
		}
	}
	if !hasList {
		return q, args, true, nil
	}
	cacheable = true
	var sb strings.Builder
	sb.Grow(len(q) + 64)
	outArgs = make([]any, 0, len(args)+32)
	arg := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			sb.WriteByte(q[i])
			continue
		}
		if arg >= len(args) {
			return "", nil, false, errors.New("sqlstore: more placeholders than arguments")
		}
		a := args[arg]
		arg++
		n := 0
		switch v := a.(type) {
		case []storage.ID:
			n = len(v)
		case []string:
			n = len(v)
		case []int64:
			n = len(v)
		default:
			sb.WriteByte('?')
			outArgs = append(outArgs, a)
			continue
		}
		if n == 0 {
			return "", nil, false, errors.New("sqlstore: empty list bound to IN (?)")
		}
		size := n
		if n <= maxPaddedList {
			size = listBucket(n)
		} else {
			cacheable = false
		}
		for j := 0; j < size; j++ {
			if j > 0 {
				sb.WriteString(", ")
			}
			sb.WriteByte('?')
			k := j
			if j >= n {
				k = 0
			}
			switch v := a.(type) {
			case []storage.ID:
				outArgs = append(outArgs, v[k])
			case []string:
				outArgs = append(outArgs, v[k])
			case []int64:
				outArgs = append(outArgs, v[k])
			}
		}
	}
	if arg != len(args) {
		return "", nil, false, errors.New("sqlstore: more arguments than placeholders")
	}
	return sb.String(), outArgs, cacheable, nil
}
