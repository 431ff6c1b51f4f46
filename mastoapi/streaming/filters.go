package streaming

import (
	"context"
	"strings"

	"github.com/herd-social/herd/storage"
)

// FilterContextRenderer is implemented by Renderers that apply keyword
// filters per stream. The Handler then renders "update" and
// "status.update" events with RenderStatusIn, giving the filter context
// of the channel the event came through: home for user and list streams,
// public for public and hashtag streams. A status that a "hide" filter of
// that context matches is not sent (the Renderer returns ErrNotFound);
// one a "warn" or "blur" filter matches carries "filtered". Renderings
// are cached per context. Notifications are rendered with
// RenderNotification, whose context is always notifications.
type FilterContextRenderer interface {
	RenderStatusIn(ctx context.Context, viewer *storage.Account, id storage.ID, filterContext storage.FilterContext) ([]byte, error)
}

// channelFilterContext returns the filter context of the statuses a hub
// channel carries ("" when none applies: direct conversations).
func channelFilterContext(channel string) storage.FilterContext {
	switch {
	case strings.HasPrefix(channel, "user:notification:"):
		return storage.FilterNotifications
	case strings.HasPrefix(channel, "user:"), strings.HasPrefix(channel, "list:"):
		return storage.FilterHome
	case channel == StreamPublic, strings.HasPrefix(channel, StreamPublic+":"), strings.HasPrefix(channel, "hashtag:"):
		return storage.FilterPublic
	}
	return ""
}
