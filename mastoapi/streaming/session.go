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
	queue    []queued
	draining bool       // a WebSocket writer goroutine runs (it owns writes)
	fc       *frameConn // the WebSocket's connection, once accepted

	// Frames a fan-out worker could not write without blocking, handed
	// to the writer goroutine.
	pending      [][]byte
	pendingHeld  bool // pending[0] ends a frame begun under the held connection lock
	pendingEvent string
	pendingAt    time.Time
	beat         bool // SSE: a heartbeat is due
	closed       bool

	shard int // the fan-out worker serving the session

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

// queued is a message waiting in a session's queue, with the time the
// Handler received it (for Options.OnWritten).
type queued struct {
	m  timeline.Message
	at time.Time
}

// enqueue queues a message without blocking. It reports false when the
// queue is full: the router then closes the session.
func (s *session) enqueue(m timeline.Message, at time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enqueueLocked(m, at)
}

func (s *session) enqueueLocked(m timeline.Message, at time.Time) bool {
	if s.closed {
		return true
	}
	if len(s.queue) >= s.h.opts.QueueSize {
		return false
	}
	s.queue = append(s.queue, queued{m, at})
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

// deliver hands a message to the session; the router's fan-out workers
// call it, each session always from the same worker, so that its events
// keep their order. A WebSocket that is idle (nothing queued, no writer
// goroutine) gets its frames written right here without blocking; what
// the socket does not take at once, and anything arriving meanwhile, is
// written by a goroutine of the session's own. It reports false when the
// session must close (its queue overflowed or its connection failed).
func (s *session) deliver(m timeline.Message, at time.Time, memo map[storage.ID]*rendered, buf []*streamEntry) ([]*streamEntry, bool) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return buf, true
	}
	if s.fc == nil || s.draining || len(s.queue) > 0 {
		ok := s.enqueueLocked(m, at)
		s.mu.Unlock()
		return buf, ok
	}
	targets := s.targetsLocked(m, buf[:0])
	s.mu.Unlock()
	if len(targets) == 0 {
		return targets, true
	}
	r, bare := s.payload(m, memo)
	if r == nil && !bare {
		return targets, true
	}
	for i, e := range targets {
		f := frameOf(r, e.label, m.Event)
		n, err := s.fc.tryWrite(f)
		if err == nil {
			s.written(m.Event, at)
			continue
		}
		if !errors.Is(err, errWouldBlock) {
			return targets, false
		}
		// The socket is full (or cannot write without blocking): the rest
		// goes to a writer goroutine, which also takes what comes next.
		rest := make([][]byte, 0, len(targets)-i)
		rest = append(rest, f[n:])
		for _, e := range targets[i+1:] {
			rest = append(rest, frameOf(r, e.label, m.Event))
		}
		held := n > 0 // tryWrite kept the connection's lock: rest[0] ends a frame
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			if held {
				s.fc.unlock()
			}
			return targets, true
		}
		s.pending, s.pendingHeld, s.pendingEvent, s.pendingAt = rest, held, m.Event, at
		s.draining = true
		go s.drainWS()
		s.mu.Unlock()
		return targets, true
	}
	return targets, true
}

// written reports a frame written (Options.OnWritten).
func (s *session) written(event string, at time.Time) {
	if f := s.h.opts.OnWritten; f != nil {
		f(event, time.Since(at))
	}
}

// frameOf returns the WebSocket frame of a rendering (nil: an event
// without payload) for a stream label.
func frameOf(r *rendered, label []byte, event string) []byte {
	if r != nil {
		return r.wsFrame(label, event)
	}
	return wsTextFrame(wsMessage(label, event, nil))
}

// targetsLocked lists the streams of the session that receive m (s.mu
// held).
func (s *session) targetsLocked(m timeline.Message, into []*streamEntry) []*streamEntry {
	targets := into[:0]
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
	return targets
}

// next pops the next queued message with the streams it goes to; ok is
// false when the queue is empty (the queue's memory is then released).
func (s *session) next(into []*streamEntry) (q queued, targets []*streamEntry, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if s.closed || len(s.queue) == 0 {
			s.queue = nil
			return q, into, false
		}
		q = s.queue[0]
		s.queue = s.queue[1:]
		targets = s.targetsLocked(q.m, into)
		if len(targets) > 0 {
			return q, targets, true
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

// drainWS writes the pending frames and the queue to the WebSocket with
// blocking writes (each under the write deadline), then ends.
func (s *session) drainWS() {
	s.mu.Lock()
	pending, held, event, at := s.pending, s.pendingHeld, s.pendingEvent, s.pendingAt
	s.pending, s.pendingHeld = nil, false
	s.mu.Unlock()
	for i, f := range pending {
		var err error
		if i == 0 && held {
			err = s.fc.finish(f)
		} else {
			_, err = s.fc.Write(f)
		}
		if err != nil {
			s.close(0, "")
			return
		}
		s.written(event, at)
	}
	var targets []*streamEntry
	for {
		q, t, ok := s.next(targets)
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
		r, bare := s.payload(q.m, nil)
		if r == nil && !bare {
			continue
		}
		for _, e := range targets {
			if _, err := s.fc.Write(frameOf(r, e.label, q.m.Event)); err != nil {
				s.close(0, "")
				return
			}
			s.written(q.m.Event, q.at)
		}
	}
}

// writeWS writes one text message through the WebSocket library under the
// write deadline (error frames).
func (s *session) writeWS(b []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.h.opts.WriteTimeout)
	defer cancel()
	return s.ws.Write(ctx, websocket.MessageText, b)
}

// payload renders a message for the session's viewer. It returns nil when
// the viewer must not receive it; bare reports an event without payload.
func (s *session) payload(m timeline.Message, memo map[storage.ID]*rendered) (r *rendered, bare bool) {
	// memo holds the renderings of this one message by viewer (0 for
	// events that are the same for every viewer).
	key := s.viewerID()
	switch m.Event {
	case EventUpdate, EventStatusUpdate, EventNotification, EventConversation:
	default:
		key = 0
	}
	if memo != nil {
		if r, ok := memo[key]; ok {
			return r, r == nil && m.Event == EventFiltersChanged
		}
	}
	r, bare = s.render1(m)
	if memo != nil {
		memo[key] = r
	}
	return r, bare
}

// render1 renders a message for the session's viewer (see payload).
func (s *session) render1(m timeline.Message) (r *rendered, bare bool) {
	switch m.Event {
	case EventFiltersChanged:
		return nil, true
	case EventDelete:
		id, ok := parseRef(m.Data)
		if !ok {
			return nil, false
		}
		return s.h.cache.do(renderKey{0, m.Event, m.Data}, func() ([]byte, error) { return []byte(id.String()), nil }), false
	case EventAnnouncement:
		// Messages carry the announcement's ID; every viewer gets the same
		// rendering (as Mastodon: no read marks, no "me").
		id, ok := parseRef(m.Data)
		if !ok || s.h.ann == nil {
			return nil, false
		}
		h := s.h
		r = h.cache.do(renderKey{0, m.Event, m.Data}, func() ([]byte, error) {
			ctx, cancel := context.WithTimeout(context.Background(), h.opts.RenderTimeout)
			defer cancel()
			return h.ann.RenderAnnouncement(ctx, id)
		})
		if r.err != nil || r.raw == nil {
			if r.err != nil && !isNotFound(r.err) {
				h.log.Warn("streaming: render", "event", m.Event, "ref", m.Data, "err", r.err)
			}
			return nil, false
		}
		return r, false
	case EventUpdate, EventStatusUpdate, EventNotification, EventConversation:
	default:
		// Other events (announcements …) carry their payload as is.
		return s.h.cache.do(renderKey{0, m.Event, m.Data}, func() ([]byte, error) { return []byte(m.Data), nil }), false
	}
	id, ok := parseRef(m.Data)
	if !ok {
		return nil, false
	}
	r = s.render(m, id)
	if r.err != nil {
		if !isNotFound(r.err) {
			s.h.log.Warn("streaming: render", "event", m.Event, "ref", m.Data, "err", r.err)
		}
		return nil, false
	}
	if r.raw == nil {
		return nil, false
	}
	return r, false
}

// render renders a status or notification event for the session's viewer
// (through the cache).
func (s *session) render(m timeline.Message, id storage.ID) *rendered {
	h, viewer := s.h, s.viewer
	fctx := channelFilterContext(m.Channel)
	key := m.Event
	if fctx != "" {
		key += "\x00" + string(fctx) // a status renders per filter context
	}
	if h.prep != nil && (m.Event == EventUpdate || m.Event == EventStatusUpdate) {
		// Render the status once for every viewer, then per viewer only
		// what differs.
		p := h.cache.doWith(renderKey{0, "prepare\x00" + m.Event, m.Data}, func(r *rendered) error {
			ctx, cancel := context.WithTimeout(context.Background(), h.opts.RenderTimeout)
			defer cancel()
			var err error
			r.prep, err = h.prep.PrepareStatus(ctx, id)
			if err == nil && r.prep == nil {
				err = ErrNotFound
			}
			return err
		})
		if p.err != nil {
			return p
		}
		return h.cache.doWith(renderKey{s.viewerID(), key, m.Data}, func(r *rendered) error {
			ctx, cancel := context.WithTimeout(context.Background(), h.opts.RenderTimeout)
			defer cancel()
			r.parent = p
			var err error
			if fp, ok := p.prep.(FilteredPreparedStatus); ok && fctx != "" {
				r.raw, err = fp.ForViewerIn(ctx, viewer, fctx)
			} else {
				r.raw, err = p.prep.ForViewer(ctx, viewer)
			}
			return err
		})
	}
	return h.cache.do(renderKey{s.viewerID(), key, m.Data}, func() ([]byte, error) {
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
