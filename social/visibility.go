package social

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// visibilityRank orders visibilities from the most to the least visible.
func visibilityRank(v storage.Visibility) int {
	switch v {
	case storage.VisibilityPublic:
		return 0
	case storage.VisibilityUnlisted:
		return 1
	case storage.VisibilityPrivate:
		return 2
	default:
		return 3
	}
}

// relations is what a viewer's relations with a set of accounts are, loaded
// in a few queries to judge many statuses at once.
type relations struct {
	viewer    storage.ID
	following map[storage.ID]bool // only for the accounts loadFollowing was given
	blocks    map[storage.ID]storage.BlockState
	mutes     map[storage.ID]*storage.Mute
	domains   map[string]bool // domains the viewer blocks (loaded when a remote account is involved)
	accounts  map[storage.ID]*storage.Account
}

// loadRelations loads viewer's relations with the given accounts (and the
// accounts themselves, to know their domain and suspension): blocks both
// ways, mutes and domain blocks. Whether the viewer follows them is loaded
// on demand by loadFollowing.
func loadRelations(ctx context.Context, st storage.Store, viewer storage.ID, ids []storage.ID) (*relations, error) {
	return loadRelationsFor(ctx, st, viewer, ids, true)
}

// loadRelationsFor is loadRelations, leaving the mutes out unless
// withMutes is set (only timelines and notifications look at them).
func loadRelationsFor(ctx context.Context, st storage.Store, viewer storage.ID, ids []storage.ID, withMutes bool) (*relations, error) {
	r := &relations{viewer: viewer, following: map[storage.ID]bool{}, blocks: map[storage.ID]storage.BlockState{},
		mutes: map[storage.ID]*storage.Mute{}, domains: map[string]bool{}}
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		r.accounts = map[storage.ID]*storage.Account{}
		return r, nil
	}
	accts, err := st.Accounts().GetMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	r.accounts = make(map[storage.ID]*storage.Account, len(accts))
	remote := false
	for _, a := range accts {
		r.accounts[a.ID] = a
		remote = remote || a.Domain != ""
	}
	if viewer == 0 {
		return r, nil
	}
	// The viewer's own relations with itself do not count: leave it out.
	others := ids[:0:0]
	for _, id := range ids {
		if id != viewer {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return r, nil
	}
	if r.blocks, err = st.Blocks().States(ctx, viewer, others); err != nil {
		return nil, fmt.Errorf("load blocks: %w", err)
	}
	if withMutes {
		if r.mutes, err = st.Mutes().States(ctx, viewer, others); err != nil {
			return nil, fmt.Errorf("load mutes: %w", err)
		}
	}
	if remote {
		doms, err := st.DomainBlocks().Domains(ctx, viewer)
		if err != nil {
			return nil, fmt.Errorf("load domain blocks: %w", err)
		}
		for _, d := range doms {
			r.domains[d] = true
		}
	}
	return r, nil
}

// loadFollowing loads whether the viewer follows each of ids.
func (r *relations) loadFollowing(ctx context.Context, st storage.Store, ids []storage.ID) error {
	if r.viewer == 0 {
		return nil
	}
	want := make([]storage.ID, 0, len(ids))
	for _, id := range uniqueIDs(ids) {
		if _, ok := r.following[id]; !ok && id != r.viewer {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return nil
	}
	fs, err := st.Follows().States(ctx, r.viewer, want)
	if err != nil {
		return fmt.Errorf("load follows: %w", err)
	}
	for _, id := range want {
		r.following[id] = fs[id].Following != nil
	}
	return nil
}

func uniqueIDs(ids []storage.ID) []storage.ID {
	seen := make(map[storage.ID]bool, len(ids))
	out := make([]storage.ID, 0, len(ids))
	for _, id := range ids {
		if id != 0 && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// blocked reports whether the viewer and the account block each other
// either way (or the viewer blocks its domain), or the account is suspended.
func (r *relations) blocked(id storage.ID) bool {
	if id == r.viewer {
		return false
	}
	if a := r.accounts[id]; a == nil || a.SuspendedAt != nil || (a.Domain != "" && r.domains[strings.ToLower(a.Domain)]) {
		return true
	}
	b := r.blocks[id]
	return b.Blocking || b.BlockedBy
}

// muted reports whether the viewer mutes the account.
func (r *relations) muted(id storage.ID) bool { return id != r.viewer && r.mutes[id] != nil }

// canSee applies the visibility rules to one status (not following boosts).
func (r *relations) canSee(st *storage.Status) bool {
	if r.viewer != 0 && st.AccountID == r.viewer {
		return true
	}
	if r.blocked(st.AccountID) {
		return false
	}
	switch st.Visibility {
	case storage.VisibilityPublic, storage.VisibilityUnlisted:
		return true
	case storage.VisibilityPrivate:
		return r.viewer != 0 && (r.following[st.AccountID] || mentions(st, r.viewer))
	default:
		return r.viewer != 0 && mentions(st, r.viewer)
	}
}

// mentions reports whether st mentions account id.
func mentions(st *storage.Status, id storage.ID) bool {
	for _, m := range st.Mentions {
		if m.AccountID == id {
			return true
		}
	}
	return false
}

// statusSet is a batch of statuses with the boosted originals they need.
type statusSet struct {
	originals map[storage.ID]*storage.Status
	rel       *relations
}

// loadSet loads the originals of the boosts among sts and the viewer's
// relations with every author involved (mutes only with withMutes), and
// whether the viewer follows the authors of the private statuses among
// them.
func loadSet(ctx context.Context, st storage.Store, viewer storage.ID, sts []*storage.Status, withMutes bool) (*statusSet, error) {
	set := &statusSet{}
	var want []storage.ID
	for _, s := range sts {
		if s.ReblogOfID != 0 {
			want = append(want, s.ReblogOfID)
		}
	}
	if want = uniqueIDs(want); len(want) > 0 {
		origs, err := st.Statuses().GetMany(ctx, want)
		if err != nil {
			return nil, fmt.Errorf("load boosted statuses: %w", err)
		}
		set.originals = make(map[storage.ID]*storage.Status, len(origs))
		for _, o := range origs {
			set.originals[o.ID] = o
		}
	} else {
		set.originals = map[storage.ID]*storage.Status{}
	}
	authors := make([]storage.ID, 0, len(sts)+len(set.originals))
	var private []storage.ID
	note := func(s *storage.Status) {
		authors = append(authors, s.AccountID)
		if s.Visibility == storage.VisibilityPrivate && viewer != 0 && s.AccountID != viewer && !mentions(s, viewer) {
			private = append(private, s.AccountID)
		}
	}
	for _, s := range sts {
		note(s)
	}
	for _, o := range set.originals {
		note(o)
	}
	rel, err := loadRelationsFor(ctx, st, viewer, authors, withMutes)
	if err != nil {
		return nil, err
	}
	if err := rel.loadFollowing(ctx, st, private); err != nil {
		return nil, err
	}
	set.rel = rel
	return set, nil
}

// visible reports whether the viewer may see s (and, for a boost, the
// boosted status).
func (set *statusSet) visible(s *storage.Status) bool {
	if !set.rel.canSee(s) {
		return false
	}
	if s.ReblogOfID != 0 {
		o := set.originals[s.ReblogOfID]
		if o == nil || !set.rel.canSee(o) {
			return false
		}
	}
	return true
}

// hidden reports whether a visible status is still kept off timelines:
// the viewer mutes its author or the boosted status's author.
func (set *statusSet) hidden(s *storage.Status) bool {
	if set.rel.muted(s.AccountID) {
		return true
	}
	if s.ReblogOfID != 0 {
		if o := set.originals[s.ReblogOfID]; o != nil && (set.rel.muted(o.AccountID) || set.rel.blocked(o.AccountID)) {
			return true
		}
	}
	return false
}

// CanSee reports whether viewer (nil for anonymous) may see st: public and
// unlisted statuses are visible to all, private ones to the author, its
// followers and the accounts it mentions, direct ones to the author and
// the accounts it mentions; a block either way hides everything. For a
// boost, the boosted status must be visible too.
func (s *Service) CanSee(ctx context.Context, viewer *storage.Account, st *storage.Status) (bool, error) {
	set, err := loadSet(ctx, s.store, viewerID(viewer), []*storage.Status{st}, false)
	if err != nil {
		return false, fmt.Errorf("can see %s: %w", st.ID, err)
	}
	return set.visible(st), nil
}

// FilterVisible returns the statuses of sts viewer may see, in order.
func (s *Service) FilterVisible(ctx context.Context, viewer *storage.Account, sts []*storage.Status) ([]*storage.Status, error) {
	return s.filter(ctx, s.store, viewerID(viewer), sts, false)
}

// filter keeps the statuses the viewer may see; with timeline set, it also
// drops those of muted accounts.
func (s *Service) filter(ctx context.Context, st storage.Store, viewer storage.ID, sts []*storage.Status, timeline bool) ([]*storage.Status, error) {
	return s.filterInto(ctx, st, viewer, sts, timeline, nil)
}

// filterInto is filter, adding what it loaded (authors, boosted statuses)
// to pg when pg is not nil.
func (s *Service) filterInto(ctx context.Context, st storage.Store, viewer storage.ID, sts []*storage.Status, timeline bool, pg *Page) ([]*storage.Status, error) {
	out := make([]*storage.Status, 0, len(sts))
	if len(sts) == 0 {
		return out, nil
	}
	set, err := loadSet(ctx, st, viewer, sts, timeline)
	if err != nil {
		return nil, fmt.Errorf("filter statuses: %w", err)
	}
	for _, x := range sts {
		if set.visible(x) && !(timeline && set.hidden(x)) {
			out = append(out, x)
		}
	}
	if timeline {
		// Limited accounts reach only their followers on timelines.
		if out, err = s.dropLimited(ctx, st, set, out); err != nil {
			return nil, fmt.Errorf("filter statuses: %w", err)
		}
	}
	pg.add(set)
	return out, nil
}

// Page is a page of statuses with what was loaded to judge them: their
// authors and the statuses they boost (with the authors of those), so that
// a caller rendering the page need not load them again. Accounts and
// Boosted may hold more than the page needs (records of statuses that were
// filtered out), never less, unless a record vanished meanwhile.
type Page struct {
	Statuses []*storage.Status
	Accounts map[storage.ID]*storage.Account
	Boosted  map[storage.ID]*storage.Status
}

// add merges what set loaded into pg (a no-op on a nil pg).
func (pg *Page) add(set *statusSet) {
	if pg == nil {
		return
	}
	if pg.Accounts == nil {
		pg.Accounts, pg.Boosted = set.rel.accounts, set.originals
		return
	}
	for id, a := range set.rel.accounts {
		pg.Accounts[id] = a
	}
	for id, o := range set.originals {
		pg.Boosted[id] = o
	}
}

// GetStatus returns the status id if viewer may see it, ErrNotFound
// otherwise.
func (s *Service) GetStatus(ctx context.Context, viewer *storage.Account, id storage.ID) (*storage.Status, error) {
	return s.visibleStatus(ctx, s.store, viewerID(viewer), id)
}

// GetStatuses returns the statuses of ids viewer may see, in the order of
// ids (unknown and invisible ones left out).
func (s *Service) GetStatuses(ctx context.Context, viewer *storage.Account, ids []storage.ID) ([]*storage.Status, error) {
	sts, err := s.getOrdered(ctx, s.store, ids)
	if err != nil {
		return nil, err
	}
	return s.filter(ctx, s.store, viewerID(viewer), sts, false)
}

// getOrdered loads statuses keeping the order of ids.
func (s *Service) getOrdered(ctx context.Context, st storage.Store, ids []storage.ID) ([]*storage.Status, error) {
	if len(ids) == 0 {
		return []*storage.Status{}, nil
	}
	got, err := st.Statuses().GetMany(ctx, uniqueIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("get statuses: %w", err)
	}
	byID := make(map[storage.ID]*storage.Status, len(got))
	for _, x := range got {
		byID[x.ID] = x
	}
	out := make([]*storage.Status, 0, len(ids))
	for _, id := range ids {
		if x := byID[id]; x != nil {
			out = append(out, x)
		}
	}
	return out, nil
}

// visibleStatus loads a status through st and checks that viewer may see it.
func (s *Service) visibleStatus(ctx context.Context, st storage.Store, viewer storage.ID, id storage.ID) (*storage.Status, error) {
	x, err := st.Statuses().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "status %s", id)
	}
	set, err := loadSet(ctx, st, viewer, []*storage.Status{x}, false)
	if err != nil {
		return nil, fmt.Errorf("status %s: %w", id, err)
	}
	if !set.visible(x) {
		return nil, fmt.Errorf("status %s: %w", id, ErrNotFound)
	}
	return x, nil
}
