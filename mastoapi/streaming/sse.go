package streaming

import (
	"bytes"
	"errors"
	"net/http"
	"time"

	"github.com/herd-social/herd/timeline"
)

// serveSSE serves one stream as server-sent events.
func (h *Handler) serveSSE(w http.ResponseWriter, r *http.Request, p string) {
	ctx := r.Context()
	st, err := streamFromPath(p, r)
	if err != nil {
		writeError(w, asRequestError(err))
		return
	}
	token, _ := tokenFrom(r, false)
	s, rerr := h.connect(ctx, token)
	if rerr != nil {
		writeError(w, rerr)
		return
	}
	s.wake = make(chan struct{}, 1)
	if err := h.router.register(s); err != nil {
		writeError(w, &RequestError{http.StatusServiceUnavailable, "Streaming unavailable"})
		return
	}
	defer s.close(0, "")
	if e := s.subscribe(ctx, st); e != nil {
		writeError(w, e)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "private, no-store")
	hd.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	h.conns.Add(1)
	defer h.conns.Add(-1)
	c := &sseConn{s: s, w: w, rc: http.NewResponseController(w)}
	// A long-lived stream must outlive the server's ReadTimeout: an expired
	// read deadline would cancel the request's context.
	_ = c.rc.SetReadDeadline(time.Time{})
	if c.write([]byte(":)\n")) != nil {
		return
	}
	var targets []*streamEntry
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-s.wake:
		}
		s.mu.Lock()
		beat := s.beat
		s.beat = false
		s.mu.Unlock()
		if beat && c.write([]byte(":thump\n")) != nil {
			return
		}
		for {
			q, t, ok := s.next(targets)
			targets = t
			if !ok {
				break
			}
			m := q.m
			r, bare := s.payload(m, nil)
			if r == nil && !bare {
				continue
			}
			if c.write(c.event(m, r)) != nil {
				return
			}
		}
	}
}

type sseConn struct {
	s   *session
	w   http.ResponseWriter
	rc  *http.ResponseController
	buf bytes.Buffer
}

// write sends b under the write deadline and flushes it.
func (c *sseConn) write(b []byte) error {
	err := c.rc.SetWriteDeadline(time.Now().Add(c.s.h.opts.WriteTimeout))
	if err != nil && !errors.Is(err, http.ErrNotSupported) {
		return err
	}
	if _, err := c.w.Write(b); err != nil {
		return err
	}
	return c.rc.Flush()
}

// event encodes an SSE event: "event: update\ndata: {…}\n\n". A payload
// with line breaks is split over several data lines.
func (c *sseConn) event(m timeline.Message, r *rendered) []byte {
	c.buf.Reset()
	c.buf.WriteString("event: ")
	c.buf.WriteString(m.Event)
	c.buf.WriteByte('\n')
	if r == nil {
		c.buf.WriteString("data: undefined\n\n")
		return c.buf.Bytes()
	}
	data := r.raw
	for {
		line, rest, more := bytes.Cut(data, []byte{'\n'})
		c.buf.WriteString("data: ")
		c.buf.Write(bytes.TrimSuffix(line, []byte{'\r'}))
		c.buf.WriteByte('\n')
		if !more {
			break
		}
		data = rest
	}
	c.buf.WriteByte('\n')
	return c.buf.Bytes()
}
