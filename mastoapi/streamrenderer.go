package mastoapi

import (
	"context"
	"errors"
	"fmt"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/storage"
)

// StreamRenderer returns the streaming.Renderer that renders streamed
// events as this API's entities: statuses prepared once per event
// (streaming.StatusPreparer), notifications, and announcements
// (streaming.AnnouncementRenderer). Mount it with StreamAuthenticator:
//
//	h := streaming.New(hub, api.StreamAuthenticator(), api.StreamRenderer(), nil)
func (a *API) StreamRenderer() streaming.Renderer { return apiStreamRenderer{a} }

// StreamAuthenticator returns the streaming.Authenticator that checks
// tokens as the REST API does (see StreamAuthenticate).
func (a *API) StreamAuthenticator() streaming.Authenticator {
	return streaming.AuthenticatorFunc(func(ctx context.Context, token string) (*storage.Account, []string, error) {
		acct, scopes, err := a.StreamAuthenticate(ctx, token)
		if errors.Is(err, ErrInvalidToken) {
			return nil, nil, fmt.Errorf("%w: %v", streaming.ErrInvalidToken, err)
		}
		return acct, scopes, err
	})
}

type apiStreamRenderer struct{ a *API }

var (
	_ streaming.Renderer             = apiStreamRenderer{}
	_ streaming.StatusPreparer       = apiStreamRenderer{}
	_ streaming.AnnouncementRenderer = apiStreamRenderer{}
)

func (r apiStreamRenderer) RenderStatus(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.a.RenderStatusJSON(ctx, viewer, id)
}

func (r apiStreamRenderer) RenderNotification(ctx context.Context, viewer *storage.Account, id storage.ID) ([]byte, error) {
	return r.a.RenderNotificationJSON(ctx, viewer, id)
}

func (r apiStreamRenderer) PrepareStatus(ctx context.Context, id storage.ID) (streaming.PreparedStatus, error) {
	p, err := r.a.PrepareStreamStatus(ctx, id)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (r apiStreamRenderer) RenderAnnouncement(ctx context.Context, id storage.ID) ([]byte, error) {
	return r.a.RenderAnnouncementJSON(ctx, id)
}
