package social

import (
	"context"
	"fmt"

	"github.com/herd-social/herd/storage"
)

// maxFillRounds bounds how many extra reads a timeline makes to fill a
// page that filtering left short.
const maxFillRounds = 4

// fetchFunc reads one raw page: the candidate statuses (newest first) and
// the IDs that ordered the page (cursors), which may include statuses no
// longer stored.
type fetchFunc func(p storage.Page) (sts []*storage.Status, cursors []storage.ID, err error)

// fillPage reads pages through fetch, keeps what keep keeps and reads on
// (up to maxFillRounds) while the page is short and more may exist.
func fillPage(p storage.Page, fetch fetchFunc, keep func([]*storage.Status) ([]*storage.Status, error)) ([]*storage.Status, error) {
	p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
	out := []*storage.Status{}
	for round := 0; round < maxFillRounds; round++ {
		sts, cursors, err := fetch(p)
		if err != nil {
			return nil, err
		}
		kept, err := keep(sts)
		if err != nil {
			return nil, err
		}
		if p.Ascending() {
			out = append(kept, out...)
		} else {
			out = append(out, kept...)
		}
		if len(cursors) < p.Limit || len(out) >= p.Limit {
			break
		}
		if p.Ascending() {
			p.MinID = cursors[0]
		} else {
			p.MaxID = cursors[len(cursors)-1]
		}
	}
	if len(out) > p.Limit {
		if p.Ascending() {
			out = out[len(out)-p.Limit:]
		} else {
			out = out[:p.Limit]
		}
	}
	return out, nil
}

func statusIDs(sts []*storage.Status) []storage.ID {
	ids := make([]storage.ID, len(sts))
	for i, st := range sts {
		ids[i] = st.ID
	}
	return ids
}

// timelineKeep keeps what the viewer may see on a timeline (no muted or
// blocked accounts), adding what it loaded to pg.
func (s *Service) timelineKeep(ctx context.Context, viewer storage.ID, pg *Page) func([]*storage.Status) ([]*storage.Status, error) {
	return func(sts []*storage.Status) ([]*storage.Status, error) {
		return s.filterInto(ctx, s.store, viewer, sts, true, pg)
	}
}

// newPage returns an empty page to collect a timeline read into.
func newPage() *Page {
	return &Page{Statuses: []*storage.Status{}}
}

// Home pages through viewer's home feed, newest first, leaving out what
// the viewer may no longer see or has muted since.
func (s *Service) Home(ctx context.Context, viewer *storage.Account, p storage.Page) ([]*storage.Status, error) {
	pg, err := s.HomePage(ctx, viewer, p)
	if err != nil {
		return nil, err
	}
	return pg.Statuses, nil
}

// HomePage is Home, returning the authors and boosted statuses it loaded
// with the page.
func (s *Service) HomePage(ctx context.Context, viewer *storage.Account, p storage.Page) (*Page, error) {
	if viewer == nil {
		return nil, ErrForbidden
	}
	pg := newPage()
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		entries, err := s.store.Feeds().Page(ctx, storage.HomeFeed(viewer.ID), p)
		if err != nil {
			return nil, nil, err
		}
		ids := make([]storage.ID, len(entries))
		for i, e := range entries {
			ids[i] = e.StatusID
		}
		sts, err := s.getOrdered(ctx, s.store, ids)
		return sts, ids, err
	}, s.limitKeep(ctx, viewer.ID, true, pg, s.timelineKeep(ctx, viewer.ID, pg)))
	if err != nil {
		return nil, fmt.Errorf("home timeline: %w", err)
	}
	pg.Statuses = out
	return pg, nil
}

// Public pages through the public timeline (local, remote or both, media
// only) as viewer (nil for anonymous) may see it.
func (s *Service) Public(ctx context.Context, viewer *storage.Account, f storage.PublicFilter, p storage.Page) ([]*storage.Status, error) {
	pg, err := s.PublicPage(ctx, viewer, f, p)
	if err != nil {
		return nil, err
	}
	return pg.Statuses, nil
}

// PublicPage is Public, returning the authors and boosted statuses it
// loaded with the page.
func (s *Service) PublicPage(ctx context.Context, viewer *storage.Account, f storage.PublicFilter, p storage.Page) (*Page, error) {
	pg := newPage()
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		sts, err := s.store.Statuses().Public(ctx, f, p)
		return sts, statusIDs(sts), err
	}, s.limitKeep(ctx, viewerID(viewer), false, pg, s.timelineKeep(ctx, viewerID(viewer), pg)))
	if err != nil {
		return nil, fmt.Errorf("public timeline: %w", err)
	}
	pg.Statuses = out
	return pg, nil
}

// TagQuery selects a hashtag timeline: statuses with Tag or any of Any,
// all of All and none of None.
type TagQuery struct {
	Tag       string
	Any       []string
	All       []string
	None      []string
	LocalOnly bool
	OnlyMedia bool
}

// Tag pages through a hashtag timeline (public statuses) as viewer may see it.
func (s *Service) Tag(ctx context.Context, viewer *storage.Account, q TagQuery, p storage.Page) ([]*storage.Status, error) {
	pg, err := s.TagPage(ctx, viewer, q, p)
	if err != nil {
		return nil, err
	}
	return pg.Statuses, nil
}

// TagPage is Tag, returning the authors and boosted statuses it loaded
// with the page.
func (s *Service) TagPage(ctx context.Context, viewer *storage.Account, q TagQuery, p storage.Page) (*Page, error) {
	f := storage.TagFilter{Any: append([]string{q.Tag}, q.Any...), All: q.All, None: q.None, LocalOnly: q.LocalOnly, OnlyMedia: q.OnlyMedia}
	pg := newPage()
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		sts, err := s.store.Statuses().Tagged(ctx, f, p)
		return sts, statusIDs(sts), err
	}, s.limitKeep(ctx, viewerID(viewer), false, pg, s.timelineKeep(ctx, viewerID(viewer), pg)))
	if err != nil {
		return nil, fmt.Errorf("tag timeline %q: %w", q.Tag, err)
	}
	pg.Statuses = out
	return pg, nil
}

// AccountStatusesFilter narrows an account's statuses.
type AccountStatusesFilter struct {
	ExcludeReplies bool
	ExcludeReblogs bool
	OnlyMedia      bool
	// Pinned lists the pinned statuses only (unpaged: at most MaxPinned).
	Pinned bool
	Tagged string
}

// AccountStatuses pages through the statuses of an account that viewer may
// see: everything for the author; public, unlisted and, for followers,
// private ones for others; nothing when a block stands between them.
func (s *Service) AccountStatuses(ctx context.Context, viewer *storage.Account, accountID storage.ID, f AccountStatusesFilter, p storage.Page) ([]*storage.Status, error) {
	pg, err := s.AccountStatusesPage(ctx, viewer, accountID, f, p)
	if err != nil {
		return nil, err
	}
	return pg.Statuses, nil
}

// AccountStatusesPage is AccountStatuses, returning the authors and
// boosted statuses it loaded with the page.
func (s *Service) AccountStatusesPage(ctx context.Context, viewer *storage.Account, accountID storage.ID, f AccountStatusesFilter, p storage.Page) (*Page, error) {
	vid := viewerID(viewer)
	rel, err := loadRelationsFor(ctx, s.store, vid, []storage.ID{accountID}, false)
	if err == nil {
		err = rel.loadFollowing(ctx, s.store, []storage.ID{accountID})
	}
	if err != nil {
		return nil, fmt.Errorf("account statuses: %w", err)
	}
	if rel.accounts[accountID] == nil {
		return nil, fmt.Errorf("account %s: %w", accountID, ErrNotFound)
	}
	pg := newPage()
	if rel.blocked(accountID) {
		return pg, nil
	}
	keep := func(sts []*storage.Status) ([]*storage.Status, error) {
		return s.filterInto(ctx, s.store, vid, sts, false, pg)
	}
	if f.Pinned {
		pins, err := s.store.Pins().ByAccount(ctx, accountID)
		if err != nil {
			return nil, fmt.Errorf("pinned statuses: %w", err)
		}
		ids := make([]storage.ID, len(pins))
		for i, pin := range pins {
			ids[i] = pin.StatusID
		}
		sts, err := s.getOrdered(ctx, s.store, ids)
		if err != nil {
			return nil, err
		}
		if pg.Statuses, err = keep(sts); err != nil {
			return nil, err
		}
		return pg, nil
	}
	vis := []storage.Visibility{storage.VisibilityPublic, storage.VisibilityUnlisted}
	switch {
	case vid == accountID:
		vis = nil
	case rel.following[accountID]:
		vis = append(vis, storage.VisibilityPrivate)
	}
	sf := storage.StatusFilter{Visibilities: vis, ExcludeReplies: f.ExcludeReplies, ExcludeReblogs: f.ExcludeReblogs,
		OnlyMedia: f.OnlyMedia, Tagged: f.Tagged}
	out, err := fillPage(p, func(p storage.Page) ([]*storage.Status, []storage.ID, error) {
		sts, err := s.store.Statuses().ByAccount(ctx, accountID, sf, p)
		return sts, statusIDs(sts), err
	}, keep)
	if err != nil {
		return nil, fmt.Errorf("account statuses of %s: %w", accountID, err)
	}
	pg.Statuses = out
	return pg, nil
}

// Context is a status's thread: what it replies to, oldest first, and the
// replies below it, in thread order.
type Context struct {
	Ancestors   []*storage.Status
	Descendants []*storage.Status
}

// Context limits, as Mastodon's.
const (
	ancestorsLimit          = 40
	descendantsLimit        = 4096
	descendantsLimitVisitor = 60
)

// Context returns the thread around status id as viewer may see it.
func (s *Service) Context(ctx context.Context, viewer *storage.Account, id storage.ID) (*Context, error) {
	vid := viewerID(viewer)
	st, err := s.visibleStatus(ctx, s.store, vid, id)
	if err != nil {
		return nil, fmt.Errorf("context: %w", err)
	}
	if st.ReblogOfID != 0 {
		if st, err = s.visibleStatus(ctx, s.store, vid, st.ReblogOfID); err != nil {
			return nil, fmt.Errorf("context: %w", err)
		}
	}
	anc, err := s.store.Statuses().Ancestors(ctx, st.ID, ancestorsLimit)
	if err != nil {
		return nil, fmt.Errorf("context of %s: %w", id, err)
	}
	limit := descendantsLimit
	if vid == 0 {
		limit = descendantsLimitVisitor
	}
	desc, err := s.store.Statuses().Descendants(ctx, st.ID, limit)
	if err != nil {
		return nil, fmt.Errorf("context of %s: %w", id, err)
	}
	out := &Context{}
	// Limited accounts stay out of threads for those who do not follow
	// them, and muted accounts out of the muter's threads, above and below
	// the status alike, as Mastodon's StatusFilter does.
	pg := newPage()
	keepAnc := s.limitKeep(ctx, vid, true, pg, func(sts []*storage.Status) ([]*storage.Status, error) {
		return s.filterInto(ctx, s.store, vid, sts, true, pg)
	})
	if out.Ancestors, err = keepAnc(anc); err != nil {
		return nil, err
	}
	keepDesc := s.limitKeep(ctx, vid, true, pg, func(sts []*storage.Status) ([]*storage.Status, error) {
		return s.filterInto(ctx, s.store, vid, sts, true, pg)
	})
	if out.Descendants, err = keepDesc(desc); err != nil {
		return nil, err
	}
	return out, nil
}

// FavouritedBy pages through the accounts that favourited a status viewer
// may see (cursor: favourite ID).
func (s *Service) FavouritedBy(ctx context.Context, viewer *storage.Account, id storage.ID, p storage.Page) ([]AccountEntry, error) {
	st, err := s.visibleStatus(ctx, s.store, viewerID(viewer), id)
	if err != nil {
		return nil, fmt.Errorf("favourited by: %w", err)
	}
	favs, err := s.store.Favourites().ByStatus(ctx, st.ID, p)
	if err != nil {
		return nil, fmt.Errorf("favourited by: %w", err)
	}
	cursors := make([]storage.ID, len(favs))
	ids := make([]storage.ID, len(favs))
	for i, f := range favs {
		cursors[i], ids[i] = f.ID, f.AccountID
	}
	return s.visibleAccountEntries(ctx, viewer, cursors, ids)
}

// RebloggedBy pages through the accounts that boosted a status viewer may
// see (cursor: the boost's ID).
func (s *Service) RebloggedBy(ctx context.Context, viewer *storage.Account, id storage.ID, p storage.Page) ([]AccountEntry, error) {
	st, err := s.visibleStatus(ctx, s.store, viewerID(viewer), id)
	if err != nil {
		return nil, fmt.Errorf("reblogged by: %w", err)
	}
	boosts, err := s.store.Statuses().Reblogs(ctx, st.ID, p)
	if err != nil {
		return nil, fmt.Errorf("reblogged by: %w", err)
	}
	cursors := make([]storage.ID, 0, len(boosts))
	ids := make([]storage.ID, 0, len(boosts))
	for _, b := range boosts {
		// A private boost shows only to those who may see it.
		if b.Visibility == storage.VisibilityPrivate && viewerID(viewer) != b.AccountID {
			continue
		}
		cursors, ids = append(cursors, b.ID), append(ids, b.AccountID)
	}
	return s.visibleAccountEntries(ctx, viewer, cursors, ids)
}

// Favourites pages through the statuses viewer favourited (cursor:
// favourite ID), leaving out those it may no longer see.
func (s *Service) Favourites(ctx context.Context, viewer *storage.Account, p storage.Page) ([]StatusEntry, error) {
	if viewer == nil {
		return nil, ErrForbidden
	}
	favs, err := s.store.Favourites().ByAccount(ctx, viewer.ID, p)
	if err != nil {
		return nil, fmt.Errorf("favourites: %w", err)
	}
	cursors := make([]storage.ID, len(favs))
	ids := make([]storage.ID, len(favs))
	for i, f := range favs {
		cursors[i], ids[i] = f.ID, f.StatusID
	}
	return s.statusEntries(ctx, viewer.ID, cursors, ids)
}

// Bookmarks pages through the statuses viewer bookmarked (cursor: bookmark
// ID), leaving out those it may no longer see.
func (s *Service) Bookmarks(ctx context.Context, viewer *storage.Account, p storage.Page) ([]StatusEntry, error) {
	if viewer == nil {
		return nil, ErrForbidden
	}
	bms, err := s.store.Bookmarks().ByAccount(ctx, viewer.ID, p)
	if err != nil {
		return nil, fmt.Errorf("bookmarks: %w", err)
	}
	cursors := make([]storage.ID, len(bms))
	ids := make([]storage.ID, len(bms))
	for i, b := range bms {
		cursors[i], ids[i] = b.ID, b.StatusID
	}
	return s.statusEntries(ctx, viewer.ID, cursors, ids)
}

func (s *Service) statusEntries(ctx context.Context, viewer storage.ID, cursors, ids []storage.ID) ([]StatusEntry, error) {
	sts, err := s.getOrdered(ctx, s.store, ids)
	if err != nil {
		return nil, err
	}
	sts, err = s.filter(ctx, s.store, viewer, sts, false)
	if err != nil {
		return nil, err
	}
	byID := make(map[storage.ID]*storage.Status, len(sts))
	for _, st := range sts {
		byID[st.ID] = st
	}
	out := make([]StatusEntry, 0, len(sts))
	for i, id := range ids {
		if st := byID[id]; st != nil {
			out = append(out, StatusEntry{Cursor: cursors[i], Status: st})
		}
	}
	return out, nil
}
