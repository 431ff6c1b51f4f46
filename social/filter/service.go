package filter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// StatusGetter finds a status that viewer may see (social.Service is one);
// it returns an error wrapping social.ErrNotFound or storage.ErrNotFound
// otherwise.
type StatusGetter interface {
	GetStatus(ctx context.Context, viewer *storage.Account, id storage.ID) (*storage.Status, error)
}

// Options tunes a Service. The zero value is ready to use.
type Options struct {
	// Events receives social.EventFiltersChanged after every change; nil
	// means nowhere.
	Events social.EventSink
	// Statuses checks that a status added to a filter is one its owner may
	// see; nil means any stored status.
	Statuses StatusGetter
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// CacheTTL bounds how long a compiled Set is reused: 0 means
	// DefaultCacheTTL, a negative value turns the cache off. Changes made
	// through the Service invalidate it at once; it is the delay before a
	// change made by another process sharing the database applies here.
	CacheTTL time.Duration
	// MaxCached bounds the cached Sets (default 10000 accounts).
	MaxCached int
	// MaxFilters bounds the filters of an account (default 300);
	// MaxKeywords bounds the keywords of an account over all its filters
	// (default 1000); MaxStatuses bounds the statuses of one filter
	// (default 1000).
	MaxFilters, MaxKeywords, MaxStatuses int
}

// DefaultCacheTTL is the default Options.CacheTTL.
const DefaultCacheTTL = 30 * time.Second

// Limits on the text of filters, in characters.
const (
	MaxTitleLength   = 256
	MaxKeywordLength = 512
)

// Service stores keyword filters and serves the compiled filters of each
// account from a cache. It is safe for concurrent use.
type Service struct {
	store storage.Store
	opts  Options

	mu    sync.Mutex
	cache map[storage.ID]cacheEntry
	gen   map[storage.ID]uint64 // bumped by every change of an account's filters
}

type cacheEntry struct {
	set    *Set
	loaded time.Time
}

// New returns a Service over store.
func New(store storage.Store, opts *Options) *Service {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.CacheTTL == 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.MaxCached <= 0 {
		o.MaxCached = 10000
	}
	if o.MaxFilters <= 0 {
		o.MaxFilters = 300
	}
	if o.MaxKeywords <= 0 {
		o.MaxKeywords = 1000
	}
	if o.MaxStatuses <= 0 {
		o.MaxStatuses = 1000
	}
	return &Service{store: store, opts: o, cache: map[storage.ID]cacheEntry{}, gen: map[storage.ID]uint64{}}
}

// Now returns the service's current time (filters expire against it).
func (s *Service) Now() time.Time { return s.opts.Now() }

// Set returns the compiled filters of an account, from the cache when
// fresh. It never returns nil on success.
func (s *Service) Set(ctx context.Context, accountID storage.ID) (*Set, error) {
	now := time.Now()
	s.mu.Lock()
	if e, ok := s.cache[accountID]; ok && now.Sub(e.loaded) < s.opts.CacheTTL {
		s.mu.Unlock()
		return e.set, nil
	}
	gen := s.gen[accountID]
	s.mu.Unlock()

	groups, err := s.load(ctx, s.store, accountID)
	if err != nil {
		return nil, err
	}
	set := NewSet(groups)
	if s.opts.CacheTTL > 0 {
		s.mu.Lock()
		// A change made while loading wins: keep what was loaded out of
		// the cache.
		if s.gen[accountID] == gen {
			if len(s.cache) >= s.opts.MaxCached {
				s.evictLocked(now)
			}
			s.cache[accountID] = cacheEntry{set: set, loaded: now}
		}
		s.mu.Unlock()
	}
	return set, nil
}

// evictLocked drops stale entries, or everything when none is stale.
func (s *Service) evictLocked(now time.Time) {
	for id, e := range s.cache {
		if now.Sub(e.loaded) >= s.opts.CacheTTL {
			delete(s.cache, id)
		}
	}
	if len(s.cache) >= s.opts.MaxCached {
		clear(s.cache)
		clear(s.gen)
	}
}

// invalidate drops an account's cached Set.
func (s *Service) invalidate(accountID storage.ID) {
	s.mu.Lock()
	delete(s.cache, accountID)
	s.gen[accountID]++
	s.mu.Unlock()
}

// changed invalidates the cache and publishes the change.
func (s *Service) changed(ctx context.Context, owner *storage.Account) {
	s.invalidate(owner.ID)
	if s.opts.Events != nil {
		s.opts.Events.Publish(ctx, social.Event{Type: social.EventFiltersChanged, Actor: owner})
	}
}

// load reads every filter of an account with its keywords and statuses.
func (s *Service) load(ctx context.Context, st storage.Store, accountID storage.ID) ([]*Group, error) {
	fs, err := st.Filters().ByAccount(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("filters of %s: %w", accountID, err)
	}
	return s.complete(ctx, st, fs)
}

// complete loads the keywords and statuses of fs.
func (s *Service) complete(ctx context.Context, st storage.Store, fs []*storage.Filter) ([]*Group, error) {
	out := make([]*Group, len(fs))
	if len(fs) == 0 {
		return out, nil
	}
	ids := make([]storage.ID, len(fs))
	byID := make(map[storage.ID]*Group, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
		out[i] = &Group{Filter: f, Keywords: []*storage.FilterKeyword{}, Statuses: []*storage.FilterStatus{}}
		byID[f.ID] = out[i]
	}
	kws, err := st.Filters().Keywords(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("filter keywords: %w", err)
	}
	for _, k := range kws {
		if g := byID[k.FilterID]; g != nil {
			g.Keywords = append(g.Keywords, k)
		}
	}
	sts, err := st.Filters().Statuses(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("filter statuses: %w", err)
	}
	for _, fs := range sts {
		if g := byID[fs.FilterID]; g != nil {
			g.Statuses = append(g.Statuses, fs)
		}
	}
	return out, nil
}

// completeOne is complete for one filter.
func (s *Service) completeOne(ctx context.Context, st storage.Store, f *storage.Filter) (*Group, error) {
	gs, err := s.complete(ctx, st, []*storage.Filter{f})
	if err != nil {
		return nil, err
	}
	return gs[0], nil
}

// change runs fn in a transaction and, when it commits, invalidates
// owner's cached filters and publishes the change.
func (s *Service) change(ctx context.Context, owner *storage.Account, fn func(tx storage.Store) error) error {
	if err := s.store.Tx(ctx, fn); err != nil {
		return err
	}
	s.changed(ctx, owner)
	return nil
}

// errNotFound is the error for a filter, keyword or status that does not
// exist or belongs to someone else: existence is never revealed.
func errNotFound(what string, id storage.ID) error {
	return fmt.Errorf("%s %s: %w", what, id, social.ErrNotFound)
}

func invalid(field, msg string) error { return &social.ValidationError{Field: field, Message: msg} }

func requireOwner(owner *storage.Account) error {
	if owner == nil || owner.ID == 0 {
		return fmt.Errorf("filters: no account: %w", social.ErrForbidden)
	}
	return nil
}

// owned returns filter id when it belongs to owner.
func owned(ctx context.Context, st storage.Store, owner *storage.Account, id storage.ID) (*storage.Filter, error) {
	f, err := st.Filters().Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || err == nil && f.AccountID != owner.ID {
		return nil, errNotFound("filter", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get filter %s: %w", id, err)
	}
	return f, nil
}

// ownedKeyword returns keyword id and its filter when they belong to owner.
func ownedKeyword(ctx context.Context, st storage.Store, owner *storage.Account, id storage.ID) (*storage.FilterKeyword, *storage.Filter, error) {
	k, err := st.Filters().GetKeyword(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, errNotFound("filter keyword", id)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("get filter keyword %s: %w", id, err)
	}
	f, err := owned(ctx, st, owner, k.FilterID)
	if errors.Is(err, social.ErrNotFound) {
		return nil, nil, errNotFound("filter keyword", id)
	}
	return k, f, err
}

// List returns every filter of owner, expired ones included, oldest first.
func (s *Service) List(ctx context.Context, owner *storage.Account) ([]*Group, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	return s.load(ctx, s.store, owner.ID)
}

// Get returns one filter of owner.
func (s *Service) Get(ctx context.Context, owner *storage.Account, id storage.ID) (*Group, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	f, err := owned(ctx, s.store, owner, id)
	if err != nil {
		return nil, err
	}
	return s.completeOne(ctx, s.store, f)
}

// KeywordChange adds, changes or removes a keyword of a filter
// (Mastodon's keywords_attributes).
type KeywordChange struct {
	// ID names an existing keyword of the filter to change or remove;
	// zero adds a keyword.
	ID      storage.ID
	Keyword string
	// WholeWord defaults to true for new keywords and to the current value
	// for changed ones.
	WholeWord *bool
	// Destroy removes keyword ID (or, with no ID, skips the entry).
	Destroy bool
}

// Input describes a new filter.
type Input struct {
	Title   string
	Context []string
	// Action defaults to warn.
	Action storage.FilterAction
	// ExpiresIn is the filter's lifetime; zero means forever.
	ExpiresIn time.Duration
	// Keywords to add; an entry with an ID is refused (not found).
	Keywords []KeywordChange
}

// Update describes a change to a filter; nil fields stay as they are.
type Update struct {
	Title   *string
	Context []string // nil: unchanged
	Action  *storage.FilterAction
	// ExpiresIn sets the expiry from now; a pointer to zero removes it.
	ExpiresIn *time.Duration
	Keywords  []KeywordChange
}

func checkTitle(title string) error {
	if strings.TrimSpace(title) == "" {
		return invalid("title", "can't be blank")
	}
	if utf8.RuneCountInString(title) > MaxTitleLength {
		return invalid("title", fmt.Sprintf("is too long (maximum is %d characters)", MaxTitleLength))
	}
	if !utf8.ValidString(title) {
		return invalid("title", "is invalid")
	}
	return nil
}

func checkContext(cs []string) (storage.Strings, error) {
	if len(cs) == 0 {
		return nil, invalid("context", "can't be blank")
	}
	out := make(storage.Strings, 0, len(cs))
	seen := map[string]bool{}
	for _, c := range cs {
		c = strings.TrimSpace(c)
		if !storage.FilterContext(c).Valid() {
			return nil, invalid("context", "contains invalid context")
		}
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out, nil
}

func checkAction(a storage.FilterAction) error {
	if !a.Valid() {
		return invalid("filter_action", "is not included in the list")
	}
	return nil
}

func checkKeyword(k string) error {
	if strings.TrimSpace(k) == "" {
		return invalid("keyword", "can't be blank")
	}
	if utf8.RuneCountInString(k) > MaxKeywordLength {
		return invalid("keyword", fmt.Sprintf("is too long (maximum is %d characters)", MaxKeywordLength))
	}
	if !utf8.ValidString(k) {
		return invalid("keyword", "is invalid")
	}
	return nil
}

func (s *Service) expiry(d time.Duration) (*time.Time, error) {
	if d == 0 {
		return nil, nil
	}
	if d < 0 || d > 100*365*24*time.Hour {
		return nil, invalid("expires_in", "is invalid")
	}
	t := s.opts.Now().Add(d).UTC()
	return &t, nil
}

// countKeywords counts the keywords of owner over all filters.
func countKeywords(ctx context.Context, st storage.Store, owner storage.ID) (filters, keywords int, err error) {
	fs, err := st.Filters().ByAccount(ctx, owner)
	if err != nil {
		return 0, 0, fmt.Errorf("filters of %s: %w", owner, err)
	}
	ids := make([]storage.ID, len(fs))
	for i, f := range fs {
		ids[i] = f.ID
	}
	kws, err := st.Filters().Keywords(ctx, ids)
	if err != nil {
		return 0, 0, fmt.Errorf("filter keywords: %w", err)
	}
	return len(fs), len(kws), nil
}

func (s *Service) checkKeywordLimit(ctx context.Context, st storage.Store, owner storage.ID, adding int) error {
	if adding <= 0 {
		return nil
	}
	_, n, err := countKeywords(ctx, st, owner)
	if err != nil {
		return err
	}
	if n+adding > s.opts.MaxKeywords {
		return invalid("keywords", fmt.Sprintf("are limited to %d", s.opts.MaxKeywords))
	}
	return nil
}

// applyKeywords applies changes to the keywords of filter f.
func (s *Service) applyKeywords(ctx context.Context, tx storage.Store, f *storage.Filter, changes []KeywordChange, creating bool) error {
	adding := 0
	for _, c := range changes {
		if c.ID == 0 && !c.Destroy {
			adding++
		}
	}
	if err := s.checkKeywordLimit(ctx, tx, f.AccountID, adding); err != nil {
		return err
	}
	for _, c := range changes {
		if c.ID == 0 {
			if c.Destroy {
				continue
			}
			if err := checkKeyword(c.Keyword); err != nil {
				return err
			}
			k := &storage.FilterKeyword{FilterID: f.ID, Keyword: c.Keyword, WholeWord: c.WholeWord == nil || *c.WholeWord}
			if err := tx.Filters().CreateKeyword(ctx, k); err != nil {
				return fmt.Errorf("add keyword: %w", err)
			}
			continue
		}
		k, err := tx.Filters().GetKeyword(ctx, c.ID)
		if creating || errors.Is(err, storage.ErrNotFound) || err == nil && k.FilterID != f.ID {
			return errNotFound("filter keyword", c.ID)
		}
		if err != nil {
			return fmt.Errorf("get filter keyword %s: %w", c.ID, err)
		}
		if c.Destroy {
			if err := tx.Filters().DeleteKeyword(ctx, k.ID); err != nil {
				return fmt.Errorf("remove keyword: %w", err)
			}
			continue
		}
		if c.Keyword != "" {
			if err := checkKeyword(c.Keyword); err != nil {
				return err
			}
			k.Keyword = c.Keyword
		}
		if c.WholeWord != nil {
			k.WholeWord = *c.WholeWord
		}
		if err := tx.Filters().UpdateKeyword(ctx, k); err != nil {
			return fmt.Errorf("update keyword: %w", err)
		}
	}
	return nil
}

// Create creates a filter of owner with its keywords.
func (s *Service) Create(ctx context.Context, owner *storage.Account, in Input) (*Group, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	if err := checkTitle(in.Title); err != nil {
		return nil, err
	}
	cs, err := checkContext(in.Context)
	if err != nil {
		return nil, err
	}
	if in.Action == "" {
		in.Action = storage.FilterWarn
	}
	if err := checkAction(in.Action); err != nil {
		return nil, err
	}
	exp, err := s.expiry(in.ExpiresIn)
	if err != nil {
		return nil, err
	}
	f := &storage.Filter{AccountID: owner.ID, Title: in.Title, Context: cs, Action: in.Action, ExpiresAt: exp}
	var out *Group
	err = s.change(ctx, owner, func(tx storage.Store) error {
		n, _, err := countKeywords(ctx, tx, owner.ID)
		if err != nil {
			return err
		}
		if n >= s.opts.MaxFilters {
			return invalid("filters", fmt.Sprintf("are limited to %d", s.opts.MaxFilters))
		}
		if err := tx.Filters().Create(ctx, f); err != nil {
			return fmt.Errorf("create filter: %w", err)
		}
		if err := s.applyKeywords(ctx, tx, f, in.Keywords, true); err != nil {
			return err
		}
		out, err = s.completeOne(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Update changes a filter of owner and its keywords.
func (s *Service) Update(ctx context.Context, owner *storage.Account, id storage.ID, u Update) (*Group, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	var out *Group
	err := s.change(ctx, owner, func(tx storage.Store) error {
		f, err := owned(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if err := s.updateFilter(f, u); err != nil {
			return err
		}
		if err := tx.Filters().Update(ctx, f); err != nil {
			return fmt.Errorf("update filter: %w", err)
		}
		if err := s.applyKeywords(ctx, tx, f, u.Keywords, false); err != nil {
			return err
		}
		out, err = s.completeOne(ctx, tx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// updateFilter applies the filter's own fields of u to f.
func (s *Service) updateFilter(f *storage.Filter, u Update) error {
	if u.Title != nil {
		if err := checkTitle(*u.Title); err != nil {
			return err
		}
		f.Title = *u.Title
	}
	if u.Context != nil {
		cs, err := checkContext(u.Context)
		if err != nil {
			return err
		}
		f.Context = cs
	}
	if u.Action != nil {
		if err := checkAction(*u.Action); err != nil {
			return err
		}
		f.Action = *u.Action
	}
	if u.ExpiresIn != nil {
		exp, err := s.expiry(*u.ExpiresIn)
		if err != nil {
			return err
		}
		f.ExpiresAt = exp
	}
	return nil
}

// Delete deletes a filter of owner with its keywords and statuses.
func (s *Service) Delete(ctx context.Context, owner *storage.Account, id storage.ID) error {
	if err := requireOwner(owner); err != nil {
		return err
	}
	return s.change(ctx, owner, func(tx storage.Store) error {
		if _, err := owned(ctx, tx, owner, id); err != nil {
			return err
		}
		return tx.Filters().Delete(ctx, id)
	})
}

// Keywords lists the keywords of a filter of owner.
func (s *Service) Keywords(ctx context.Context, owner *storage.Account, filterID storage.ID) ([]*storage.FilterKeyword, error) {
	g, err := s.Get(ctx, owner, filterID)
	if err != nil {
		return nil, err
	}
	return g.Keywords, nil
}

// AddKeyword adds a keyword to a filter of owner.
func (s *Service) AddKeyword(ctx context.Context, owner *storage.Account, filterID storage.ID, keyword string, wholeWord bool) (*storage.FilterKeyword, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	if err := checkKeyword(keyword); err != nil {
		return nil, err
	}
	k := &storage.FilterKeyword{Keyword: keyword, WholeWord: wholeWord}
	err := s.change(ctx, owner, func(tx storage.Store) error {
		f, err := owned(ctx, tx, owner, filterID)
		if err != nil {
			return err
		}
		if err := s.checkKeywordLimit(ctx, tx, owner.ID, 1); err != nil {
			return err
		}
		k.FilterID = f.ID
		return tx.Filters().CreateKeyword(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// Keyword returns a keyword of owner with its filter.
func (s *Service) Keyword(ctx context.Context, owner *storage.Account, id storage.ID) (*storage.FilterKeyword, *storage.Filter, error) {
	if err := requireOwner(owner); err != nil {
		return nil, nil, err
	}
	return ownedKeyword(ctx, s.store, owner, id)
}

// UpdateKeyword changes a keyword of owner; nil fields stay as they are.
func (s *Service) UpdateKeyword(ctx context.Context, owner *storage.Account, id storage.ID, keyword *string, wholeWord *bool) (*storage.FilterKeyword, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	if keyword != nil {
		if err := checkKeyword(*keyword); err != nil {
			return nil, err
		}
	}
	var out *storage.FilterKeyword
	err := s.change(ctx, owner, func(tx storage.Store) error {
		k, _, err := ownedKeyword(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		if keyword != nil {
			k.Keyword = *keyword
		}
		if wholeWord != nil {
			k.WholeWord = *wholeWord
		}
		out = k
		return tx.Filters().UpdateKeyword(ctx, k)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteKeyword removes a keyword of owner (its filter stays, even with
// no keyword left).
func (s *Service) DeleteKeyword(ctx context.Context, owner *storage.Account, id storage.ID) error {
	if err := requireOwner(owner); err != nil {
		return err
	}
	return s.change(ctx, owner, func(tx storage.Store) error {
		if _, _, err := ownedKeyword(ctx, tx, owner, id); err != nil {
			return err
		}
		return tx.Filters().DeleteKeyword(ctx, id)
	})
}

// Statuses lists the statuses of a filter of owner.
func (s *Service) Statuses(ctx context.Context, owner *storage.Account, filterID storage.ID) ([]*storage.FilterStatus, error) {
	g, err := s.Get(ctx, owner, filterID)
	if err != nil {
		return nil, err
	}
	return g.Statuses, nil
}

// AddStatus adds a status to a filter of owner. The status must be one
// owner may see; adding it twice is a validation error.
func (s *Service) AddStatus(ctx context.Context, owner *storage.Account, filterID, statusID storage.ID) (*storage.FilterStatus, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	if statusID == 0 {
		return nil, invalid("status_id", "can't be blank")
	}
	var err error
	if s.opts.Statuses != nil {
		_, err = s.opts.Statuses.GetStatus(ctx, owner, statusID)
	} else {
		_, err = s.store.Statuses().Get(ctx, statusID)
	}
	if errors.Is(err, social.ErrNotFound) || errors.Is(err, storage.ErrNotFound) {
		return nil, errNotFound("status", statusID)
	}
	if err != nil {
		return nil, fmt.Errorf("filter status %s: %w", statusID, err)
	}
	fs := &storage.FilterStatus{StatusID: statusID}
	err = s.change(ctx, owner, func(tx storage.Store) error {
		f, err := owned(ctx, tx, owner, filterID)
		if err != nil {
			return err
		}
		have, err := tx.Filters().Statuses(ctx, []storage.ID{f.ID})
		if err != nil {
			return fmt.Errorf("filter statuses: %w", err)
		}
		for _, h := range have {
			if h.StatusID == statusID {
				return invalid("status_id", "has already been taken")
			}
		}
		if len(have) >= s.opts.MaxStatuses {
			return invalid("statuses", fmt.Sprintf("are limited to %d", s.opts.MaxStatuses))
		}
		fs.FilterID = f.ID
		return tx.Filters().CreateStatus(ctx, fs)
	})
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// Status returns a filtered status of owner.
func (s *Service) Status(ctx context.Context, owner *storage.Account, id storage.ID) (*storage.FilterStatus, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	return ownedStatus(ctx, s.store, owner, id)
}

func ownedStatus(ctx context.Context, st storage.Store, owner *storage.Account, id storage.ID) (*storage.FilterStatus, error) {
	fs, err := st.Filters().GetStatus(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, errNotFound("filter status", id)
	}
	if err != nil {
		return nil, fmt.Errorf("get filter status %s: %w", id, err)
	}
	if _, err := owned(ctx, st, owner, fs.FilterID); err != nil {
		if errors.Is(err, social.ErrNotFound) {
			return nil, errNotFound("filter status", id)
		}
		return nil, err
	}
	return fs, nil
}

// RemoveStatus removes a status from a filter of owner and returns what
// was removed.
func (s *Service) RemoveStatus(ctx context.Context, owner *storage.Account, id storage.ID) (*storage.FilterStatus, error) {
	if err := requireOwner(owner); err != nil {
		return nil, err
	}
	var out *storage.FilterStatus
	err := s.change(ctx, owner, func(tx storage.Store) error {
		fs, err := ownedStatus(ctx, tx, owner, id)
		if err != nil {
			return err
		}
		out = fs
		return tx.Filters().DeleteStatus(ctx, id)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
