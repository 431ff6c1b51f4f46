package sqlstore

import (
	"context"
	"sync"

	"github.com/herd-social/herd/storage"
)

// Every status rendered for a signed-in viewer carries whether the viewer
// favourited, boosted, bookmarked and pinned it: one query per page, the
// largest part of a timeline page's time once the page's records come from
// the caches. A viewer reads the same statuses again and again (the head
// of the home timeline), and changes them rarely, so the record caches
// also keep, per viewer, the states of the statuses it was last asked
// about (up to maxViewerStates; then the set starts again).
//
// The rules are the other caches' (recordcache.go): exact within the
// process — every favourite, bookmark and pin made or undone, and every
// boost made or deleted, drops its account's set — and at most the TTL
// behind another process's writes. Statuses deleted keep their stale
// states, which nobody asks about again (IDs are never reused).

// maxViewerStates bounds the statuses one viewer's set remembers.
const maxViewerStates = 1024

// viewerStateSet is the states of the statuses one account was asked
// about, those with no state included. States read later are added to it
// in place: a set dropped from the cache (on a write) is never read again,
// so what a reader adds to it after the write does not matter.
type viewerStateSet struct {
	owner storage.ID

	mu     sync.Mutex
	states map[storage.ID]storage.ViewerState
}

func viewerStateOwner(v *viewerStateSet) storage.ID { return v.owner }

// changedViewerStates notes a write to the favourites, bookmarks, pins or
// boosts of the accounts ids.
func (s *Store) changedViewerStates(ids ...storage.ID) {
	if s.cache == nil {
		return
	}
	c := s.cache
	s.changed(func() { c.viewerStates.forget(ids, false) })
}

// cachedViewerStates is statuses.ViewerStates through the cache; ok is
// false when there is no cache to read through.
func (r statuses) cachedViewerStates(ctx context.Context, accountID storage.ID, ids []storage.ID) (out map[storage.ID]storage.ViewerState, ok bool, err error) {
	c := r.s.readCache()
	if c == nil {
		return nil, false, nil
	}
	out = make(map[storage.ID]storage.ViewerState, len(ids))
	set := c.viewerStates.get(accountID, c.now(), true)
	var missing []storage.ID
	if set == nil {
		missing = ids
	} else {
		set.mu.Lock()
		for _, id := range ids {
			v, ok := set.states[id]
			switch {
			case !ok:
				missing = append(missing, id)
			case v != (storage.ViewerState{}):
				out[id] = v
			}
		}
		set.mu.Unlock()
	}
	if len(missing) == 0 {
		return out, true, nil
	}
	gen := c.viewerStates.generation()
	fresh, err := r.viewerStates(ctx, accountID, missing)
	if err != nil {
		return nil, true, err
	}
	for id, v := range fresh {
		out[id] = v
	}
	if set == nil {
		set = &viewerStateSet{owner: accountID, states: make(map[storage.ID]storage.ViewerState, len(missing))}
		for _, id := range missing {
			set.states[id] = fresh[id]
		}
		c.viewerStates.put(gen, c.now(), viewerStateOwner, set)
		return out, true, nil
	}
	set.mu.Lock()
	if len(set.states)+len(missing) > maxViewerStates {
		clear(set.states)
	}
	for _, id := range missing {
		set.states[id] = fresh[id]
	}
	set.mu.Unlock()
	return out, true, nil
}
