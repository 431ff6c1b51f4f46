package streaming

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/herd-social/herd/storage"
)

// StatusPreparer is implemented by Renderers that render a status once per
// event for all its viewers. The Handler then calls PrepareStatus once for
// an "update" or "status.update" event and PreparedStatus.ForViewer for
// each viewer, instead of RenderStatus per viewer; RenderStatus stays in
// use for conversations and notifications.
type StatusPreparer interface {
	// PrepareStatus loads and renders status id (ErrNotFound when it is
	// gone). It must not depend on any viewer.
	PrepareStatus(ctx context.Context, id storage.ID) (PreparedStatus, error)
}

// PreparedStatus is a status rendered once for all viewers.
type PreparedStatus interface {
	// ForViewer returns the status as viewer (nil: anonymous) sees it,
	// applying everything RenderStatus applies for that viewer, or
	// ErrNotFound when viewer must not receive it. Viewers who see the
	// same JSON should get the same byte slice (not a copy): the Handler
	// then encodes their WebSocket frame once. It must be safe for
	// concurrent use; the bytes are read-only.
	ForViewer(ctx context.Context, viewer *storage.Account) ([]byte, error)
}

var _ StatusPreparer = (*StoreRenderer)(nil)

// storePrepared is StoreRenderer's PreparedStatus: StoreRenderer has no
// viewer-specific fields, so every viewer allowed to see the status gets
// the same bytes.
type storePrepared struct {
	r    *StoreRenderer
	st   *storage.Status
	once sync.Once
	raw  []byte
	err  error
}

// PrepareStatus implements StatusPreparer.
func (r *StoreRenderer) PrepareStatus(ctx context.Context, id storage.ID) (PreparedStatus, error) {
	st, err := r.svc.Store().Statuses().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &storePrepared{r: r, st: st}, nil
}

// ForViewer implements PreparedStatus.
func (p *storePrepared) ForViewer(ctx context.Context, viewer *storage.Account) ([]byte, error) {
	ok, err := p.r.svc.CanSee(ctx, viewer, p.st)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	if viewer != nil {
		authors := []storage.ID{p.st.AccountID}
		if p.st.ReblogOfID != 0 {
			orig, err := p.r.svc.Store().Statuses().Get(ctx, p.st.ReblogOfID)
			if err != nil {
				return nil, err
			}
			authors = append(authors, orig.AccountID)
		}
		mutes, err := p.r.svc.Store().Mutes().States(ctx, viewer.ID, authors)
		if err != nil {
			return nil, err
		}
		for _, a := range authors {
			if a != viewer.ID && mutes[a] != nil {
				return nil, ErrNotFound
			}
		}
	}
	p.once.Do(func() {
		var out *miniStatus
		if out, p.err = p.r.status(ctx, nil, p.st); p.err == nil {
			p.raw, p.err = json.Marshal(out)
		}
	})
	return p.raw, p.err
}

// FilteredPreparedStatus is implemented by PreparedStatuses that apply the
// viewer's keyword filters in a context (home for user and list streams,
// public for public and hashtag streams): ForViewerIn returns ErrNotFound
// for a status a hide filter matches, and the status with `filtered`
// otherwise. The Handler prefers it to ForViewer when a stream has a
// filter context.
type FilteredPreparedStatus interface {
	PreparedStatus
	ForViewerIn(ctx context.Context, viewer *storage.Account, fctx storage.FilterContext) ([]byte, error)
}
