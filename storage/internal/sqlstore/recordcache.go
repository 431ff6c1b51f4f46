package sqlstore

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sync"
	"time"

	"github.com/herd-social/herd/storage"
)

// Accounts and statuses are read by ID far more often than they change:
// every timeline page reads twenty statuses and their authors, and on
// SQLite most of a page's time went into scanning those wide rows. The
// store keeps the records it read by ID for a short time.
//
// Within the process the cache is exact: every write of this store to an
// account or a status drops it (after the transaction that wrote it has
// ended, so that no reader can put back the old row meanwhile). A write made
// by another process sharing the database (several herd processes on
// PostgreSQL, a command-line tool on SQLite) is seen here after at most the
// TTL (DefaultRecordCacheTTL unless Config.RecordCacheTTL says otherwise).
// Reads inside a transaction never use the cache.

// DefaultRecordCacheTTL bounds how stale a cached account or status may be
// when another process changed it.
const DefaultRecordCacheTTL = 2 * time.Second

// maxCachedRecords bounds each cache; it is emptied when full.
const maxCachedRecords = 20000

// recordCache keeps records of one kind by ID.
type recordCache[T any] struct {
	ttl  time.Duration
	copy func(*T) *T
	// check keeps a pristine copy of every record, and get and getMany
	// compare the shared record with it (Config.CheckSharedRecords).
	check bool

	mu sync.RWMutex
	// gen changes on every invalidation: a reader that began before one
	// does not put what it read.
	gen uint64
	m   map[storage.ID]cachedRecord[T]
}

type cachedRecord[T any] struct {
	v    *T
	at   time.Time
	orig *T // with check: what v was when cached
}

func newRecordCache[T any](ttl time.Duration, cp func(*T) *T) *recordCache[T] {
	return &recordCache[T]{ttl: ttl, copy: cp, m: map[storage.ID]cachedRecord[T]{}}
}

// generation returns the generation to hand to put after reading the
// database.
func (c *recordCache[T]) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// get returns a copy of the record id, if cached and fresh; the cached
// record itself when shared (storage.WithSharedRecords).
func (c *recordCache[T]) get(id storage.ID, now time.Time, shared bool) *T {
	c.mu.RLock()
	e, ok := c.m[id]
	c.mu.RUnlock()
	if !ok || now.Sub(e.at) >= c.ttl {
		return nil
	}
	c.verify(e)
	if shared {
		return e.v
	}
	return c.copy(e.v)
}

// getMany returns copies of the cached records of ids (the cached records
// themselves when shared) and the IDs missing.
func (c *recordCache[T]) getMany(ids []storage.ID, now time.Time, shared bool) (hits []*T, missing []storage.ID) {
	hits = make([]*T, 0, len(ids))
	c.mu.RLock()
	for _, id := range ids {
		if e, ok := c.m[id]; ok && now.Sub(e.at) < c.ttl {
			c.verify(e)
			hits = append(hits, e.v)
		} else {
			missing = append(missing, id)
		}
	}
	c.mu.RUnlock()
	if !shared {
		for i, v := range hits {
			hits[i] = c.copy(v)
		}
	}
	return hits, missing
}

// verify panics, with check on, when a cached record was changed since it
// was cached: a caller broke the promise of storage.WithSharedRecords.
func (c *recordCache[T]) verify(e cachedRecord[T]) {
	if c.check && !reflect.DeepEqual(e.v, e.orig) {
		panic(fmt.Sprintf("sqlstore: a cached %T was changed by a reader that promised not to (storage.WithSharedRecords)", e.v))
	}
}

// put keeps copies of recs read at generation gen, unless something was
// invalidated since.
func (c *recordCache[T]) put(gen uint64, now time.Time, id func(*T) storage.ID, recs ...*T) {
	if len(recs) == 0 {
		return
	}
	cps := make([]*T, len(recs))
	for i, r := range recs {
		cps[i] = c.copy(r)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m)+len(recs) > maxCachedRecords {
		c.m = make(map[storage.ID]cachedRecord[T], len(recs))
	}
	for _, r := range cps {
		e := cachedRecord[T]{v: r, at: now}
		if c.check {
			e.orig = c.copy(r)
		}
		c.m[id(r)] = e
	}
}

// forgetWhere drops the records for which drop is true.
func (c *recordCache[T]) forgetWhere(drop func(*T) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for id, e := range c.m {
		if drop(e.v) {
			delete(c.m, id)
		}
	}
}

// forget drops the given records (all of them when ids is nil).
func (c *recordCache[T]) forget(ids []storage.ID, all bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if all {
		clear(c.m)
		return
	}
	for _, id := range ids {
		delete(c.m, id)
	}
}

func copyAccount(a *storage.Account) *storage.Account {
	cp := *a
	cp.Fields = slices.Clone(a.Fields)
	cp.Emojis = slices.Clone(a.Emojis)
	cp.AlsoKnownAs = slices.Clone(a.AlsoKnownAs)
	cp.Extra = maps.Clone(a.Extra)
	cp.SuspendedAt, cp.SilencedAt = clonep(a.SuspendedAt), clonep(a.SilencedAt)
	cp.LastStatusAt, cp.FetchedAt = clonep(a.LastStatusAt), clonep(a.FetchedAt)
	return &cp
}

func copyStatus(s *storage.Status) *storage.Status {
	cp := *s
	cp.Mentions = slices.Clone(s.Mentions)
	cp.Tags = slices.Clone(s.Tags)
	cp.Emojis = slices.Clone(s.Emojis)
	cp.MediaIDs = slices.Clone(s.MediaIDs)
	cp.Extra = maps.Clone(s.Extra)
	cp.EditedAt = clonep(s.EditedAt)
	return &cp
}

func copyUser(u *storage.User) *storage.User {
	cp := *u
	cp.ConfirmedAt, cp.LastSignInAt = clonep(u.ConfirmedAt), clonep(u.LastSignInAt)
	return &cp
}

func userAccountID(u *storage.User) storage.ID { return u.AccountID }

// changedUsers notes a write to users: they are few and rarely written, so
// every cached user is dropped.
func (s *Store) changedUsers() {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.users.forget(nil, true) })
}

func clonep[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// recordCaches are a store's caches of accounts and statuses, and of the
// blocks, mutes and domain blocks of the accounts that read timelines.
type recordCaches struct {
	now      func() time.Time
	accounts *recordCache[storage.Account]
	statuses *recordCache[storage.Status]
	users    *recordCache[storage.User] // by account ID
	blocks   *recordCache[blockSet]
	mutes    *recordCache[muteSet]
	domains  *recordCache[domainSet]

	// threadMutes: the threads each account muted (threadmutecache.go).
	threadMutes *recordCache[threadMuteSet]

	// homeHeads and listHeads: the newest entries of home and list feeds,
	// by owner (feedcache.go).
	homeHeads *recordCache[feedHead]
	listHeads *recordCache[feedHead]

	// viewerStates: the favourited/boosted/bookmarked/pinned states of
	// the statuses each viewer was asked about (viewerstatecache.go).
	viewerStates *recordCache[viewerStateSet]
}

func newRecordCaches(ttl time.Duration, check bool) *recordCaches {
	if ttl < 0 {
		return nil
	}
	if ttl == 0 {
		ttl = DefaultRecordCacheTTL
	}
	c := &recordCaches{
		now:      time.Now,
		accounts: newRecordCache(ttl, copyAccount),
		statuses: newRecordCache(ttl, copyStatus),
		users:    newRecordCache(ttl, copyUser),
		blocks:   newRecordCache(ttl, same[blockSet]),
		mutes:    newRecordCache(ttl, same[muteSet]),
		domains:  newRecordCache(ttl, same[domainSet]),

		threadMutes: newRecordCache(ttl, same[threadMuteSet]),
		homeHeads:   newRecordCache(ttl, same[feedHead]),
		listHeads:   newRecordCache(ttl, same[feedHead]),

		viewerStates: newRecordCache(ttl, same[viewerStateSet]),
	}
	c.accounts.check, c.statuses.check = check, check
	return c
}

// invalidation lists what a transaction wrote, to drop from the caches
// once it has ended.
type invalidation struct {
	fns []func()
}

// changed runs forget now and, inside a transaction, again when it ends.
func (s *Store) changed(forget func()) {
	forget()
	if s.inval != nil {
		s.inval.fns = append(s.inval.fns, forget)
	}
}

// changedAccounts notes that the accounts ids were written: their cached
// records are dropped now and, inside a transaction, again when it ends.
func (s *Store) changedAccounts(ids ...storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.accounts.forget(ids, false) })
}

// changedStatuses is changedAccounts for statuses; all drops every status
// (for writes whose rows are not known, such as cascades).
func (s *Store) changedStatuses(all bool, ids ...storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.statuses.forget(ids, all) })
}

// apply drops what a finished transaction wrote.
func (c *recordCaches) apply(inv *invalidation) {
	if c == nil || inv == nil {
		return
	}
	for _, f := range inv.fns {
		f()
	}
}

func accountID(a *storage.Account) storage.ID { return a.ID }
func statusID(s *storage.Status) storage.ID   { return s.ID }

// readCache returns the record caches to read through, nil inside a
// transaction (which must see its own writes) or when caching is off.
func (s *Store) readCache() *recordCaches {
	if s.tx != nil {
		return nil
	}
	return s.cache
}

func uniqueIDs(ids []storage.ID) []storage.ID {
	seen := make(map[storage.ID]struct{}, len(ids))
	out := make([]storage.ID, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}
