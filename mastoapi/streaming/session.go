package streaming

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// session is the state of one connection: its viewer, streams and queue
// of events waiting to be written.
//
// The router appends to the queue without blocking; a WebSocket session
// writes it from a goroutine that exists only while the queue is not
// empty, an SSE session from its request's goroutine. An idle WebSocket
// thus holds one goroutine (its reader) and no buffer of events.
type session struct {
	h      *Handler
	token  string
	viewer *storage.Account
	ws     *websocket.Conn // nil for SSE
	done   chan struct{}   // closed when the session ends
	wake   chan struct{}   // SSE: signalled when there is work

	mu       sync.Mutex
	scopes   []string
	streams  []*streamEntry
	queue    []timeline.Message
	draining bool // a WebSocket writer goroutine runs
	beat     bool // SSE: a heartbeat is due
	closed   bool

	// Owned by the router's sweeper.
	lastBeat, lastCheck time.Time
	checking            atomic.Bool // a token check runs
}

type streamEntry struct {
	stream   Stream
	label    []byte // JSON of Stream.Label
	channels []string
}

func newSession(h *Handler, token string) *session {
	now := time.Now()
	return &session{h: h, token: token, done: make(chan struct{}), lastBeat: now, lastCheck: now}
}

func (s *session) viewerID() storage.ID {
	if s.viewer == nil {
		return 0
	}
	return s.viewer.ID
}

// authorize checks that the session may stream st.
func (s *session) authorize(ctx context.Context, st Stream) *RequestError {
	if st.Public() {
		if s.viewer == nil && !s.h.opts.AllowAnonymousPublic {
			if s.token == "" {
				return errNoToken
			}
			return errNeedsUser
		}
		return nil
	}
	if s.viewer == nil {
		if s.token == "" {
			return errNoToken
		}
		return errNeedsUser
	}
	s.mu.Lock()
	ok := hasScope(s.scopes, "read", requiredScope(st))
	s.mu.Unlock()
	if !ok {
		return errScopes
	}
	if st.Name == StreamList {
		if s.h.opts.Lists == nil {
			return errListAccess
		}
		id, _ := storage.ParseID(st.List)
		if err := s.h.opts.Lists.AuthorizeList(ctx, s.viewer, id); err != nil {
			return errListAccess
		}
	}
	return nil
}

// usesLocked reports whether one of the session's streams reads channel c.
func (s *session) usesLocked(c string) bool {
	for _, e := range s.streams {
		for _, x := range e.channels {
			if x == c {
				return true
			}
		}
	}
	return false
}

// subscribe adds st to the session (a stream already subscribed is kept
// as is).
func (s *session) subscribe(ctx context.Context, st Stream) *RequestError {
	if e := s.authorize(ctx, st); e != nil {
		return e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	for _, e := range s.streams {
		if e.stream == st {
			return nil
		}
	}
	if len(s.streams) >= s.h.opts.MaxStreams {
		return &RequestError{http.StatusBadRequest, "Too many streams"}
	}
	label, _ := json.Marshal(st.Label())
	e := &streamEntry{stream: st, label: label, channels: st.channels(s.viewer)}
	var fresh []string
	for _, c := range e.channels {
		if !s.usesLocked(c) {
			fresh = append(fresh, c)
		}
	}
	if err := s.h.router.add(s, fresh...); err != nil {
		s.h.log.Error("streaming: subscribe", "err", err)
		return &RequestError{http.StatusServiceUnavailable, "Streaming unavailable"}
	}
	s.streams = append(s.streams, e)
	return nil
}

// unsubscribe removes st from the session.
func (s *session) unsubscribe(st Stream) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, e := range s.streams {
		if e.stream != st {
			continue
		}
		s.streams = append(s.streams[:i:i], s.streams[i+1:]...)
		var gone []string
		for _, c := range e.channels {
			if !s.usesLocked(c) {
				gone = append(gone, c)
			}
		}
		s.h.router.remove(s, gone...)
		return
	}
}

// enqueue queues a message without blocking. It reports false when the
// queue is full: the router then closes the session.
func (s *session) enqueue(m timeline.Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return true
	}
	if len(s.queue) >= s.h.opts.QueueSize {
		return false
	}
	s.queue = append(s.queue, m)
	if s.ws == nil {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	} else if !s.draining {
		s.draining = true
		go s.drainWS()
	}
	return true
}

// next pops the next queued message with the streams it goes to; ok is
// false when the queue is empty (the queue's memory is then released).
func (s *session) next(into []*streamEntry) (m timeline.Message, targets []*streamEntry, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.closed || len(s.queue) == 0 {
			s.queue = nil
			return m, into, false
		}
		m = s.queue[0]
		s.queue = s.queue[1:]
		targets = into[:0]
		for _, e := range s.streams {
			if !s.accepts(e.stream, m.Event) {
				continue
			}
			for _, c := range e.channels {
				if c == m.Channel {
					targets = append(targets, e)
					break
				}
			}
		}
		if len(targets) > 0 {
			return m, targets, true
		}
	}
}

// accepts tells which events a stream carries (s.mu held).
func (s *session) accepts(st Stream, event string) bool {
	switch st.Name {
	case StreamUser:
		// As Mastodon: notifications only with a notifications scope.
		return event != EventNotification || hasScope(s.scopes, "read", "read:notifications")
	case StreamUserNotification:
		return event == EventNotification
	case StreamDirect:
		return event == EventConversation || event == EventDelete
	}
	return event != EventNotification && event != EventConversation
}

// drainWS writes the queue to the WebSocket, then ends.
func (s *session) drainWS() {
	var targets []*streamEntry
	for {
		m, t, ok := s.next(targets)
		targets = t
		if !ok {
			s.mu.Lock()
			if len(s.queue) == 0 || s.closed {
				s.draining = false
				s.mu.Unlock()
				return
			}
			s.mu.Unlock()
			continue
		}
		r, bare := s.payload(m)
		if r == nil && !bare {
			continue
		}
		for _, e := range targets {
			var f []byte
			if r != nil {
				f = r.wsFrame(e.label, m.Event)
			} else {
				f = wsFrame(e.label, m.Event, nil)
			}
			if err := s.writeWS(f); err != nil {
				s.close(0, "")
				return
			}
		}
	}
}

// writeWS writes one text message under the write deadline.
func (s *session) writeWS(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.h.opts.WriteTimeout)
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageText, b)
}

// payload renders a message for the session's viewer. It returns nil when
// the viewer must not receive it; bare reports an event without payload.
func (s *session) payload(m timeline.Message) (r *rendered, bare bool) {
	switch m.Event {
	case EventFiltersChanged:
		return nil, true
	case EventDelete:
		id, ok := parseRef(m.Data)
		if !ok {
			return nil, false
		}
		return s.h.cache.do(renderKey{0, m.Event, m.Data}, func() ([]byte, error) { return []byte(id.String()), nil }), false
	case EventUpdate, EventStatusUpdate, EventNotification, EventConversation:
	default:
		// Other events (announcements …) carry their payload as is.
		return s.h.cache.do(renderKey{0, m.Event, m.Data}, func() ([]byte, error) { return []byte(m.Data), nil }), false
	}
	id, ok := parseRef(m.Data)
	if !ok {
		return nil, false
	}
	h, viewer := s.h, s.viewer
	fctx := channelFilterContext(m.Channel)
	key := m.Event
	if fctx != "" {
		key += "\x00" + string(fctx) // a status renders per filter context
	}
	r = h.cache.do(renderKey{s.viewerID(), key, m.Data}, func() ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), h.opts.RenderTimeout)
		defer cancel()
		switch m.Event {
		case EventNotification:
			return h.render.RenderNotification(ctx, viewer, id)
		case EventConversation:
			if h.conv != nil {
				return h.conv.RenderConversation(ctx, viewer, id)
			}
			b, err := h.render.RenderStatus(ctx, viewer, id)
			if err != nil || b == nil {
				return b, err
			}
			return wrapConversation(b)
		}
		if h.fctx != nil && fctx != "" {
			return h.fctx.RenderStatusIn(ctx, viewer, id, fctx)
		}
		return h.render.RenderStatus(ctx, viewer, id)
	})
	if r.err != nil {
		if !isNotFound(r.err) {
			h.log.Warn("streaming: render", "event", m.Event, "ref", m.Data, "err", r.err)
		}
		return nil, false
	}
	if r.raw == nil {
		return nil, false
	}
	return r, false
}

// recheck authenticates the session's token again; false means the stream
// must close.
func (s *session) recheck(ctx context.Context) bool {
	if s.token == "" {
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, s.h.opts.WriteTimeout)
	defer cancel()
	acct, scopes, err := s.h.auth.Authenticate(ctx, s.token)
	if errors.Is(err, ErrInvalidToken) {
		return false
	}
	if err != nil {
		s.h.log.Warn("streaming: recheck token", "err", err)
		return true
	}
	if s.viewer != nil && (acct == nil || acct.ID != s.viewer.ID) {
		return false
	}
	s.mu.Lock()
	s.scopes = scopes
	s.mu.Unlock()
	return true
}

// heartbeat pings a WebSocket (closing it when no pong comes back within
// the write timeout) or has an SSE stream write ":thump".
func (s *session) heartbeat() {
	s.mu.Lock()
	ws := s.ws
	if ws == nil && s.wake != nil {
		s.beat = true
	}
	s.mu.Unlock()
	if ws == nil {
		select {
		case s.wake <- struct{}{}:
		default:
		}
		return
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.h.opts.WriteTimeout)
		defer cancel()
		if err := ws.Ping(ctx); err != nil {
			s.close(0, "")
		}
	}()
}

// close ends the session. code 0 closes a WebSocket at once (its client is
// gone or too slow for a close handshake); otherwise the close frame
// carries code and reason.
func (s *session) close(code websocket.StatusCode, reason string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.queue = nil
	ws := s.ws
	s.mu.Unlock()
	s.h.router.drop(s)
	close(s.done)
	if ws == nil {
		return
	}
	if code == 0 {
		ws.CloseNow()
		return
	}
	go ws.Close(code, reason)
}
