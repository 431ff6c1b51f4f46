package mastoapi

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
)

// StreamStatus is a status rendered once for every viewer of a streamed
// event (see PrepareStreamStatus): its records, author, media and
// application are loaded once; each viewer costs the visibility check,
// the blocks and mutes, and its state (favourited, reblogged, bookmarked,
// pinned), loaded in a few queries. Viewers with the same state share one
// rendering — the same bytes, so the streaming Handler encodes their frame
// once.
type StreamStatus struct {
	a     *API
	st    *storage.Status
	orig  *storage.Status // the boosted status, for a boost
	batch *statusBatch    // loaded for no viewer

	mu       sync.Mutex
	variants map[streamVariant][]byte
}

// streamVariant is what makes one viewer's rendering differ from another's.
type streamVariant struct {
	anonymous        bool
	own, ownOrig     bool
	state, origState storage.ViewerState
}

// maxStreamVariants bounds the renderings a StreamStatus keeps.
const maxStreamVariants = 64

// PrepareStreamStatus loads status id and what rendering it needs, for
// StreamStatus.ForViewer. It returns storage.ErrNotFound when the status
// is gone or cannot be rendered.
func (a *API) PrepareStreamStatus(ctx context.Context, id storage.ID) (*StreamStatus, error) {
	st, err := a.store.Statuses().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	b, err := a.loadStatusBatch(ctx, nil, []*storage.Status{st})
	if err != nil {
		return nil, err
	}
	if b.one(a, st) == nil {
		return nil, storage.ErrNotFound
	}
	p := &StreamStatus{a: a, st: st, batch: b, variants: map[streamVariant][]byte{}}
	if st.ReblogOfID != 0 {
		p.orig = b.statuses[st.ReblogOfID]
	}
	return p, nil
}

// ForViewer renders the status for viewer (nil: anonymous) exactly as
// RenderStatusJSON does, or returns storage.ErrNotFound when viewer must
// not see it.
func (p *StreamStatus) ForViewer(ctx context.Context, viewer *storage.Account) ([]byte, error) {
	return p.ForViewerIn(ctx, viewer, "")
}

// ForViewerIn is ForViewer applying the viewer's keyword filters in the
// filter context fctx (none when empty). Statuses whose rendering depends
// on the viewer beyond the shared variants — the viewer has filters, the
// status carries a poll (voted, own_votes), or the viewer muted its thread
// — are rendered in full for that viewer, as the REST API renders them.
func (p *StreamStatus) ForViewerIn(ctx context.Context, viewer *storage.Account, fctx storage.FilterContext) ([]byte, error) {
	if viewer != nil {
		full, err := p.needsFullRender(ctx, viewer)
		if err != nil {
			return nil, err
		}
		if full {
			raw, err := p.a.RenderStatusJSONIn(ctx, viewer, p.st.ID, fctx)
			if err == nil && raw == nil {
				err = storage.ErrNotFound
			}
			return raw, err
		}
	}
	return p.forViewer(ctx, viewer)
}

// needsFullRender reports whether viewer sees fields the shared variants
// do not carry.
func (p *StreamStatus) needsFullRender(ctx context.Context, viewer *storage.Account) (bool, error) {
	if p.st.PollID != 0 || (p.orig != nil && p.orig.PollID != 0) {
		return true, nil
	}
	if p.a.filters != nil {
		set, err := p.a.filters.Set(ctx, viewer.ID)
		if err != nil {
			return false, err
		}
		if !set.Empty() {
			return true, nil
		}
	}
	sts := []*storage.Status{p.st}
	if p.orig != nil {
		sts = append(sts, p.orig)
	}
	muted, err := p.a.svc.MutedThreads(ctx, viewer, sts)
	if err != nil {
		return false, err
	}
	return len(muted) > 0, nil
}

func (p *StreamStatus) forViewer(ctx context.Context, viewer *storage.Account) ([]byte, error) {
	a, st := p.a, p.st
	ok, err := a.svc.CanSee(ctx, viewer, st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, storage.ErrNotFound
	}
	v := streamVariant{anonymous: viewer == nil}
	if viewer != nil {
		authors := []storage.ID{st.AccountID}
		ids := []storage.ID{st.ID}
		if p.orig != nil {
			authors = append(authors, p.orig.AccountID)
			ids = append(ids, p.orig.ID)
		}
		hidden, err := a.hiddenFrom(ctx, viewer.ID, authors)
		if err != nil {
			return nil, err
		}
		if hidden {
			return nil, storage.ErrNotFound
		}
		states, err := a.store.Statuses().ViewerStates(ctx, viewer.ID, ids)
		if err != nil {
			return nil, err
		}
		v.own, v.state = viewer.ID == st.AccountID, states[st.ID]
		if p.orig != nil {
			v.ownOrig, v.origState = viewer.ID == p.orig.AccountID, states[p.orig.ID]
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.variants[v]; ok {
		return b, nil
	}
	b := *p.batch
	b.viewer = viewer
	b.states = map[storage.ID]storage.ViewerState{st.ID: v.state}
	if p.orig != nil {
		b.states[p.orig.ID] = v.origState
	}
	out := b.one(a, st)
	if out == nil {
		return nil, storage.ErrNotFound
	}
	raw, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	if len(p.variants) < maxStreamVariants {
		p.variants[v] = raw
	}
	return raw, nil
}

var _ streaming.FilteredPreparedStatus = (*StreamStatus)(nil)
