package sqlstore

import (
	"context"
	"slices"

	"github.com/herd-social/herd/storage"
)

// Every client opens the home timeline by reading the newest page of its
// feed, again and again: it is the server's hottest query. The record
// caches therefore also keep the head of each home and list feed read (its
// feedHeadSize newest entries), and Feeds.Page answers the pages that fall
// inside a cached head without a query: the newest page, pages below a
// max_id inside the head, and since_id pages that end inside it.
//
// The rules are the record caches' (recordcache.go): every write of this
// store to a feed drops that feed's head, now and again when the
// transaction ends; writes whose feeds are not known (a status deleted
// from every feed, an account's feeds deleted with it) drop every head
// holding one of the statuses, or every head; another process's writes are
// seen after at most the TTL. Heads are read only outside transactions.

// feedHeadSize is how many of a feed's newest entries a head keeps: more
// than the largest page (storage.MaxLimit), so that a timeline whose first
// page lost a few statuses to filters reads the next one from the head too.
const feedHeadSize = 64

// feedHead is the newest entries of one feed. It is never changed once
// built.
type feedHead struct {
	owner   storage.ID
	entries []storage.FeedEntry // newest first
	whole   bool                // the feed holds nothing older than entries
}

func feedHeadOwner(h *feedHead) storage.ID { return h.owner }

// holdsAny reports whether the head holds one of the statuses ids.
func (h *feedHead) holdsAny(ids map[storage.ID]struct{}) bool {
	for _, e := range h.entries {
		if _, ok := ids[e.StatusID]; ok {
			return true
		}
	}
	return false
}

// page answers p from the head: ok is false when the answer may reach
// entries older than the head holds. Ascending (min_id) pages are not
// answered.
func (h *feedHead) page(p storage.Page) (out []storage.FeedEntry, ok bool) {
	if p.Ascending() {
		return nil, false
	}
	p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
	i := 0
	if p.MaxID != 0 {
		i, _ = slices.BinarySearchFunc(h.entries, p.MaxID, func(e storage.FeedEntry, max storage.ID) int {
			// entries are newest first: those at or above max_id come first.
			switch {
			case e.StatusID >= max:
				return -1
			default:
				return 1
			}
		})
	}
	out = make([]storage.FeedEntry, 0, p.Limit)
	for ; i < len(h.entries) && len(out) < p.Limit; i++ {
		e := h.entries[i]
		if p.SinceID != 0 && e.StatusID <= p.SinceID {
			return out, true
		}
		out = append(out, e)
	}
	if len(out) == p.Limit || h.whole {
		return out, true
	}
	return nil, false
}

// feedHeads returns the cache of heads of kind, nil for kinds not cached.
func (c *recordCaches) feedHeads(kind storage.FeedKind) *recordCache[feedHead] {
	switch kind {
	case storage.FeedHome:
		return c.homeHeads
	case storage.FeedList:
		return c.listHeads
	}
	return nil
}

// changedFeeds notes a write to the feeds of kind owned by owners.
func (s *Store) changedFeeds(kind storage.FeedKind, owners ...storage.ID) {
	if s.cache == nil {
		return
	}
	hc := s.cache.feedHeads(kind)
	if hc == nil {
		return
	}
	owners = slices.Clone(owners)
	s.changed(func() { hc.forget(owners, false) })
}

// changedAllFeeds notes a write to feeds not known: every head is dropped.
func (s *Store) changedAllFeeds() {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() {
		c.homeHeads.forget(nil, true)
		c.listHeads.forget(nil, true)
	})
}

// changedAllListFeeds notes a write to list feeds not known: every list
// feed's head is dropped.
func (s *Store) changedAllListFeeds() {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.listHeads.forget(nil, true) })
}

// changedFeedStatuses notes that the statuses ids left every feed: the
// heads holding one of them are dropped (an entry older than a head leaves
// the head as it was).
func (s *Store) changedFeedStatuses(ids ...storage.ID) {
	if s.cache == nil || len(ids) == 0 {
		return
	}
	set := make(map[storage.ID]struct{}, len(ids))
	for _, id := range ids {
		set[id] = struct{}{}
	}
	c := s.cache
	s.changed(func() {
		c.homeHeads.forgetWhere(func(h *feedHead) bool { return h.holdsAny(set) })
		c.listHeads.forgetWhere(func(h *feedHead) bool { return h.holdsAny(set) })
	})
}

// cachedFeedPage answers p from the cached head of feed when it can,
// reading the head first when p asks for the newest entries. ok is false
// when the page must be read from the database.
func (r feeds) cachedFeedPage(ctx context.Context, feed storage.Feed, p storage.Page) (out []storage.FeedEntry, ok bool, err error) {
	c := r.s.readCache()
	if c == nil || p.Ascending() {
		return nil, false, nil
	}
	hc := c.feedHeads(feed.Kind)
	if hc == nil {
		return nil, false, nil
	}
	h := hc.get(feed.Owner, c.now(), true)
	if h == nil {
		if p.MaxID != 0 {
			// Only the newest page loads a head: an old page is read as it is.
			return nil, false, nil
		}
		gen := hc.generation()
		h = &feedHead{owner: feed.Owner, entries: make([]storage.FeedEntry, 0, feedHeadSize)}
		err := r.s.scanIDRows(ctx, "SELECT status_id, author_id, reblog_of_id FROM feed_entries WHERE feed_kind = ? AND feed_owner = ? ORDER BY status_id DESC LIMIT ?",
			[]any{int(feed.Kind), feed.Owner, feedHeadSize}, func(row []storage.ID) {
				if len(row) == 3 {
					h.entries = append(h.entries, storage.FeedEntry{StatusID: row[0], AuthorID: row[1], ReblogOfID: row[2]})
				}
			})
		if err != nil {
			return nil, false, r.s.wrap(err, "page feed")
		}
		h.whole = len(h.entries) < feedHeadSize
		hc.put(gen, c.now(), feedHeadOwner, h)
	}
	out, ok = h.page(p)
	return out, ok, nil
}
