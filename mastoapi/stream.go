package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// This file offers the streaming API (mastoapi/streaming) what it needs
// from the REST API: the same token checks and the same entities, rendered
// for one viewer.

// StreamAuthenticate checks an access token as the REST API does (revoked
// tokens, disabled or unapproved users, suspended accounts are refused with
// ErrInvalidToken) and returns its account (nil for app-only tokens) and
// scopes.
func (a *API) StreamAuthenticate(ctx context.Context, token string) (*storage.Account, []string, error) {
	au, err := a.lookupToken(ctx, token)
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == ErrInvalidToken.Status {
			return nil, nil, ErrInvalidToken
		}
		return nil, nil, err
	}
	return au.Account, []string(au.Scopes), nil
}

// RenderStatusJSON renders status id as a Mastodon Status entity for
// viewer, or returns storage.ErrNotFound when viewer must not see it: not
// visible to them, or by (or boosting) an account they block, are blocked
// by, or mute.
func (a *API) RenderStatusJSON(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	st, err := a.svc.GetStatus(ctx, viewer, id)
	if err != nil {
		if errors.Is(err, social.ErrNotFound) || errors.Is(err, storage.ErrNotFound) {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	if viewer != nil {
		authors := []storage.ID{st.AccountID}
		if st.ReblogOfID != 0 {
			if orig, err := a.store.Statuses().Get(ctx, st.ReblogOfID); err == nil {
				authors = append(authors, orig.AccountID)
			}
		}
		hidden, err := a.hiddenFrom(ctx, viewer.ID, authors)
		if err != nil {
			return nil, err
		}
		if hidden {
			return nil, storage.ErrNotFound
		}
	}
	out, err := a.renderStatus(ctx, viewer, st, false)
	if err != nil {
		if errors.Is(err, ErrRecordNotFound) {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	return json.Marshal(out)
}

// hiddenFrom reports whether viewer blocks, is blocked by or mutes any of
// the authors (the viewer's own statuses are never hidden).
func (a *API) hiddenFrom(ctx context.Context, viewer storage.ID, authors []storage.ID) (bool, error) {
	others := authors[:0:0]
	for _, id := range authors {
		if id != viewer {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return false, nil
	}
	blocks, err := a.store.Blocks().States(ctx, viewer, others)
	if err != nil {
		return false, fmt.Errorf("stream: blocks: %w", err)
	}
	for _, b := range blocks {
		if b.Blocking || b.BlockedBy {
			return true, nil
		}
	}
	mutes, err := a.store.Mutes().States(ctx, viewer, others)
	if err != nil {
		return false, fmt.Errorf("stream: mutes: %w", err)
	}
	return len(mutes) > 0, nil
}

// RenderNotificationJSON renders the viewer's notification id as a
// Mastodon Notification entity, or returns storage.ErrNotFound.
func (a *API) RenderNotificationJSON(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	ctx = withFilterContext(ctx, storage.FilterNotifications)
	if viewer == nil {
		return nil, storage.ErrNotFound
	}
	n, err := a.svc.Notification(ctx, viewer, id)
	if err != nil {
		if errors.Is(err, social.ErrNotFound) || errors.Is(err, storage.ErrNotFound) || errors.Is(err, social.ErrForbidden) {
			return nil, storage.ErrNotFound
		}
		return nil, err
	}
	out, err := a.renderNotifications(ctx, viewer, []*storage.Notification{n})
	if err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, storage.ErrNotFound
	}
	return json.Marshal(out[0])
}
