package streaming

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// DefaultPrefix is where the streaming API lives.
const DefaultPrefix = "/api/v1/streaming"

// ListAuthorizer decides whether a viewer may stream a list (its owner).
type ListAuthorizer interface {
	// AuthorizeList returns nil when viewer may stream list listID, an
	// error (ErrNotFound for a list that is not the viewer's) otherwise.
	AuthorizeList(ctx context.Context, viewer *storage.Account, listID storage.ID) error
}

// Options tunes New. The zero value gives the defaults.
type Options struct {
	// Prefix is the path the handler is mounted at (default DefaultPrefix).
	Prefix string
	// AllowAnonymousPublic lets clients without a token stream public
	// timelines and hashtags. Mastodon 4.2 and later require a user token
	// for every stream; so does the default.
	AllowAnonymousPublic bool
	// Lists authorizes list streams; nil refuses them.
	Lists ListAuthorizer
	// Heartbeat is the interval of WebSocket pings and SSE ":thump"
	// comments (default 30 s).
	Heartbeat time.Duration
	// RecheckInterval is how often a stream's token is checked again; a
	// revoked or expired token closes the stream (default 60 s).
	RecheckInterval time.Duration
	// WriteTimeout bounds every write to a client and the wait for a
	// pong; a client that stops reading is disconnected after it
	// (default 10 s).
	WriteTimeout time.Duration
	// QueueSize bounds the events waiting for one connection (default
	// 32): a connection whose queue overflows is closed.
	QueueSize int
	// HubBuffer is the buffer of the Handler's hub subscription (default
	// 65536 messages), which carries the events of every connection.
	HubBuffer int
	// MaxStreams bounds the streams one WebSocket multiplexes (default 64).
	MaxStreams int
	// RenderCacheTTL is how long a rendering is shared by the connections
	// of one viewer (default 2 s; negative disables sharing).
	RenderCacheTTL time.Duration
	// RenderTimeout bounds one rendering (default 10 s).
	RenderTimeout time.Duration
	// Logger reports failures (default: discard).
	Logger *slog.Logger
	// Workers is the number of goroutines fanning events out to the
	// connections (default GOMAXPROCS). Each connection is served by one
	// of them, so its events keep their order.
	Workers int
	// OnWritten, when set, is called after each event frame is written to
	// a WebSocket, with the time since the Handler received the event
	// from the hub: a debug metric of the server's own fan-out latency
	// (the load harness uses it). It runs on the hot path: keep it cheap.
	OnWritten func(event string, sinceReceived time.Duration)
}

// Handler serves the streaming API: WebSocket at the prefix, SSE below it
// (/user, /user/notification, /public, /public/local, /public/remote,
// /hashtag, /hashtag/local, /list, /direct, and the prefix itself with
// ?stream=) and /health. Mount it at the prefix with the prefix kept in
// the path (e.g. mux.PathPrefix(DefaultPrefix).Handler(h)).
type Handler struct {
	hub    timeline.Hub
	auth   Authenticator
	render Renderer
	conv   ConversationRenderer
	fctx   FilterContextRenderer
	prep   StatusPreparer
	ann    AnnouncementRenderer
	opts   Options
	log    *slog.Logger
	cache  *renderCache
	conns  atomic.Int64
	router router
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler streaming the events of hub, authenticating
// tokens with auth and rendering events with render.
func New(hub timeline.Hub, auth Authenticator, render Renderer, opts *Options) *Handler {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	o.Prefix = strings.TrimRight(o.Prefix, "/")
	if o.Heartbeat <= 0 {
		o.Heartbeat = 30 * time.Second
	}
	if o.RecheckInterval <= 0 {
		o.RecheckInterval = 60 * time.Second
	}
	if o.WriteTimeout <= 0 {
		o.WriteTimeout = 10 * time.Second
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 32
	}
	if o.HubBuffer <= 0 {
		o.HubBuffer = 65536
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 64
	}
	if o.RenderCacheTTL == 0 {
		o.RenderCacheTTL = 2 * time.Second
	}
	if o.RenderTimeout <= 0 {
		o.RenderTimeout = 10 * time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	h := &Handler{hub: hub, auth: auth, render: render, opts: o, log: o.Logger,
		cache: newRenderCache(o.RenderCacheTTL, 200_000)}
	h.conv, _ = render.(ConversationRenderer)
	h.fctx, _ = render.(FilterContextRenderer)
	h.prep, _ = render.(StatusPreparer)
	h.ann, _ = render.(AnnouncementRenderer)
	h.router.h = h
	return h
}

// Connections counts the open streaming connections (WebSocket and SSE).
func (h *Handler) Connections() int { return int(h.conns.Load()) }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p, ok := strings.CutPrefix(r.URL.Path, h.opts.Prefix)
	if !ok || (p != "" && p[0] != '/') {
		writeError(w, &RequestError{http.StatusNotFound, "Not Found"})
		return
	}
	if p == "/health" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "private, no-store")
		_, _ = w.Write([]byte("OK"))
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	if r.Method == http.MethodOptions {
		w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
		w.Header().Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID")
		w.Header().Set("Access-Control-Max-Age", "86400")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeError(w, &RequestError{http.StatusMethodNotAllowed, "Method not allowed"})
		return
	}
	if (p == "" || p == "/") && isUpgrade(r) {
		h.serveWebSocket(w, r)
		return
	}
	h.serveSSE(w, r, p)
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func writeError(w http.ResponseWriter, e *RequestError) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status)
	b, _ := json.Marshal(map[string]string{"error": e.Message})
	_, _ = w.Write(b)
}

// connect authenticates a connection. Without a token it yields an
// anonymous session when public streams are open to all.
func (h *Handler) connect(ctx context.Context, token string) (*session, *RequestError) {
	s := newSession(h, token)
	if token == "" {
		if !h.opts.AllowAnonymousPublic {
			return nil, errNoToken
		}
		return s, nil
	}
	acct, scopes, err := h.auth.Authenticate(ctx, token)
	if errors.Is(err, ErrInvalidToken) {
		return nil, errBadToken
	}
	if err != nil {
		h.log.Error("streaming: authenticate", "err", err)
		return nil, &RequestError{http.StatusInternalServerError, "Internal server error"}
	}
	s.viewer, s.scopes = acct, scopes
	return s, nil
}

// wsMessage encodes a WebSocket event message:
// {"stream":[…],"event":"…","payload":"…"}.
func wsMessage(label []byte, event string, r *rendered) []byte {
	b := make([]byte, 0, 40+len(label)+len(event)+r.quotedLen())
	b = append(b, `{"stream":`...)
	b = append(b, label...)
	b = append(b, `,"event":`...)
	b = appendJSONString(b, event)
	if r != nil {
		b = append(b, `,"payload":`...)
		b = append(b, r.quoted()...)
	}
	return append(b, '}')
}

// errorFrame encodes a WebSocket error frame as Mastodon:
// {"error":"Unknown stream type","status":400}.
func errorFrame(e *RequestError) []byte {
	b, _ := json.Marshal(struct {
		Error  string `json:"error"`
		Status int    `json:"status"`
	}{e.Message, e.Status})
	return b
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
