package storagetest

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// testFeedPagesAfterWrites checks that Feeds.Page answers every kind of
// page exactly as the feed stands after each write, through a long run of
// random writes and reads of feeds longer than any page: backends that keep
// the head of a feed in memory must drop it on every write.
func testFeedPagesAfterWrites(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	r := rand.New(rand.NewPCG(7, 11))
	author := h.local(t, "fh")
	owners := []storage.ID{h.s.NewID(), h.s.NewID()}
	feeds := []storage.Feed{storage.HomeFeed(owners[0]), storage.HomeFeed(owners[1]), storage.ListFeed(owners[0])}
	authors := []storage.ID{author.ID, h.s.NewID(), h.s.NewID()}

	// model: what each feed holds, by status ID.
	model := map[storage.Feed]map[storage.ID]storage.FeedEntry{}
	for _, f := range feeds {
		model[f] = map[storage.ID]storage.FeedEntry{}
	}
	var real []storage.ID // statuses stored in the statuses table (deletable)
	want := func(f storage.Feed, p storage.Page) []storage.FeedEntry {
		p = p.Norm(storage.DefaultLimit, storage.MaxLimit)
		var all []storage.FeedEntry
		for _, e := range model[f] {
			if p.MaxID != 0 && e.StatusID >= p.MaxID {
				continue
			}
			if low := max(p.MinID, p.SinceID); low != 0 && e.StatusID <= low {
				continue
			}
			all = append(all, e)
		}
		slices.SortFunc(all, func(a, b storage.FeedEntry) int { return cmpID(b.StatusID, a.StatusID) })
		if p.Ascending() {
			if len(all) > p.Limit {
				all = all[len(all)-p.Limit:]
			}
		} else if len(all) > p.Limit {
			all = all[:p.Limit]
		}
		if all == nil {
			all = []storage.FeedEntry{}
		}
		return all
	}
	newEntry := func() storage.FeedEntry {
		if r.IntN(4) == 0 {
			st := h.post(t, author)
			real = append(real, st.ID)
			return storage.FeedEntry{StatusID: st.ID, AuthorID: author.ID}
		}
		return storage.FeedEntry{StatusID: h.s.NewID(), AuthorID: authors[r.IntN(len(authors))]}
	}
	someID := func(f storage.Feed) storage.ID {
		ids := make([]storage.ID, 0, len(model[f]))
		for id := range model[f] {
			ids = append(ids, id)
		}
		if len(ids) == 0 {
			return h.s.NewID()
		}
		slices.Sort(ids)
		return ids[r.IntN(len(ids))]
	}
	check := func(step int) {
		for _, f := range feeds {
			pages := []storage.Page{{}, {Limit: 40}, {Limit: 5}}
			id := someID(f)
			pages = append(pages, storage.Page{MaxID: id, Limit: 1 + r.IntN(40)}, storage.Page{SinceID: id, Limit: 1 + r.IntN(40)},
				storage.Page{MinID: id, Limit: 1 + r.IntN(40)}, storage.Page{MaxID: id, SinceID: someID(f)})
			for _, p := range pages {
				got, err := h.s.Feeds().Page(ctx, f, p)
				require.NoError(t, err)
				require.Equal(t, entryIDs(want(f, p)), entryIDs(got), "step %d: feed %+v page %+v", step, f, p)
			}
		}
	}
	for step := 0; step < 300; step++ {
		f := feeds[r.IntN(len(feeds))]
		switch op := r.IntN(10); op {
		case 0, 1, 2:
			var es []storage.FeedEntry
			for range 1 + r.IntN(30) {
				es = append(es, newEntry())
			}
			require.NoError(t, h.s.Feeds().Insert(ctx, f, es...))
			for _, e := range es {
				model[f][e.StatusID] = e
			}
		case 3:
			e := newEntry()
			require.NoError(t, h.s.Feeds().InsertMany(ctx, storage.FeedHome, owners, e))
			for _, o := range owners {
				model[storage.HomeFeed(o)][e.StatusID] = e
			}
		case 4:
			id := someID(f)
			require.NoError(t, h.s.Feeds().Remove(ctx, f, id))
			delete(model[f], id)
		case 5:
			a := authors[1+r.IntN(len(authors)-1)]
			require.NoError(t, h.s.Feeds().RemoveAuthor(ctx, f, a))
			for id, e := range model[f] {
				if e.AuthorID == a {
					delete(model[f], id)
				}
			}
		case 6:
			id := someID(f)
			require.NoError(t, h.s.Feeds().RemoveStatus(ctx, id))
			for _, g := range feeds {
				delete(model[g], id)
			}
		case 7:
			if len(real) == 0 {
				continue
			}
			i := r.IntN(len(real))
			id := real[i]
			real = slices.Delete(real, i, i+1)
			require.NoError(t, h.s.Statuses().Delete(ctx, id))
			for _, g := range feeds {
				delete(model[g], id)
			}
		case 8:
			keep := 20 + r.IntN(80)
			require.NoError(t, h.s.Feeds().Trim(ctx, f, keep))
			all := make([]storage.FeedEntry, 0, len(model[f]))
			for _, e := range model[f] {
				all = append(all, e)
			}
			slices.SortFunc(all, func(a, b storage.FeedEntry) int { return cmpID(b.StatusID, a.StatusID) })
			kept := all[:min(keep, len(all))]
			m := map[storage.ID]storage.FeedEntry{}
			for _, e := range kept {
				m[e.StatusID] = e
			}
			model[f] = m
		case 9:
			// Reads only.
		}
		check(step)
	}
}

func cmpID(a, b storage.ID) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
