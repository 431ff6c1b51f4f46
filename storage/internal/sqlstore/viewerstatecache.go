package sqlstore

import (
	"context"

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
// about, those with no state included. It is never changed once built.
type viewerStateSet struct {
	owner  storage.ID
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
	set := c.viewerStates.get(accountID, c.now(), true)
	var missing []storage.ID
	for _, id := range ids {
		if set == nil {
			missing = ids
			break
		}
		if _, ok := set.states[id]; !ok {
			missing = append(missing, id)
		}
	}
	var fresh map[storage.ID]storage.ViewerState
	if len(missing) > 0 {
		gen := c.viewerStates.generation()
		if fresh, err = r.viewerStates(ctx, accountID, missing); err != nil {
			return nil, true, err
		}
		// The new set: the old one and what was read, unless that grows
		// past the bound.
		n := len(missing)
		if set != nil && len(set.states)+n <= maxViewerStates {
			n += len(set.states)
		} else {
			set = nil
		}
		next := &viewerStateSet{owner: accountID, states: make(map[storage.ID]storage.ViewerState, n)}
		if set != nil {
			for id, v := range set.states {
				next.states[id] = v
			}
		}
		for _, id := range missing {
			next.states[id] = fresh[id]
		}
		c.viewerStates.put(gen, c.now(), viewerStateOwner, next)
		set = next
	}
	out = make(map[storage.ID]storage.ViewerState, len(ids))
	for _, id := range ids {
		if v := set.states[id]; v != (storage.ViewerState{}) {
			out[id] = v
		}
	}
	return out, true, nil
}
