package storagetest

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// testViewerStatesAfterWrites checks that Statuses.ViewerStates answers as
// the favourites, boosts, bookmarks and pins stand after each write, through
// a run of random writes by two viewers and reads of overlapping sets of
// statuses: backends that keep viewer states in memory must drop them on
// every write.
func testViewerStatesAfterWrites(t *testing.T, open Opener) {
	h := newHarness(t, open)
	ctx := t.Context()
	r := rand.New(rand.NewPCG(3, 5))
	author := h.local(t, "vsa")
	viewers := []*storage.Account{h.local(t, "vsv"), h.local(t, "vsw")}
	var sts []*storage.Status
	for range 30 {
		sts = append(sts, h.post(t, author))
	}
	type key struct{ viewer, status storage.ID }
	model := map[key]storage.ViewerState{}
	boosts := map[key]storage.ID{} // the viewer's boost of the status
	for step := 0; step < 400; step++ {
		v := viewers[r.IntN(len(viewers))]
		st := sts[r.IntN(len(sts))]
		k := key{v.ID, st.ID}
		m := model[k]
		switch r.IntN(5) {
		case 0:
			if m.Favourited {
				require.NoError(t, h.s.Favourites().Delete(ctx, v.ID, st.ID))
			} else {
				require.NoError(t, h.s.Favourites().Create(ctx, &storage.Favourite{AccountID: v.ID, StatusID: st.ID}))
			}
			m.Favourited = !m.Favourited
		case 1:
			if m.Reblogged {
				require.NoError(t, h.s.Statuses().Delete(ctx, boosts[k]))
				delete(boosts, k)
			} else {
				boosts[k] = h.boost(t, v, st).ID
			}
			m.Reblogged = !m.Reblogged
		case 2:
			if m.Bookmarked {
				require.NoError(t, h.s.Bookmarks().Delete(ctx, v.ID, st.ID))
			} else {
				require.NoError(t, h.s.Bookmarks().Create(ctx, &storage.Bookmark{AccountID: v.ID, StatusID: st.ID}))
			}
			m.Bookmarked = !m.Bookmarked
		case 3:
			if m.Pinned {
				require.NoError(t, h.s.Pins().Delete(ctx, v.ID, st.ID))
			} else {
				require.NoError(t, h.s.Pins().Create(ctx, &storage.Pin{AccountID: v.ID, StatusID: st.ID}))
			}
			m.Pinned = !m.Pinned
		case 4:
			// Reads only.
		}
		model[k] = m
		// Read a random window of statuses for each viewer.
		for _, w := range viewers {
			lo := r.IntN(len(sts))
			hi := lo + 1 + r.IntN(len(sts)-lo)
			ids := make([]storage.ID, 0, hi-lo)
			want := map[storage.ID]storage.ViewerState{}
			for _, s := range sts[lo:hi] {
				ids = append(ids, s.ID)
				if st := model[key{w.ID, s.ID}]; st != (storage.ViewerState{}) {
					want[s.ID] = st
				}
			}
			got, err := h.s.Statuses().ViewerStates(ctx, w.ID, ids)
			require.NoError(t, err)
			require.Equal(t, want, got, "step %d, viewer %s", step, w.ID)
		}
	}
}
