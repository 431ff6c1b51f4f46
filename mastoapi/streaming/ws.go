package streaming

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// maxWSRead bounds a client's WebSocket message; longer ones close the
// connection (StatusMessageTooBig), shorter malformed ones get an error
// frame.
const maxWSRead = 16 << 10

// Buffer sizes of a WebSocket connection: clients send little, so the read
// buffer is small; the write buffer holds a typical frame whole.
const (
	wsReadBuffer  = 512
	wsWriteBuffer = 4096
)

// serveWebSocket serves the multiplexed WebSocket endpoint. Once the
// handshake is done it hands the connection to a fresh reader goroutine
// and returns, so that the HTTP server's goroutine, its grown stack and
// the request are freed; events are written by a goroutine that exists
// only while some are queued. An idle connection thus costs little memory.
func (h *Handler) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	token, proto := tokenFrom(r, true)
	s, rerr := h.connect(r.Context(), token)
	if rerr != nil {
		writeError(w, rerr)
		return
	}
	if err := h.router.register(s); err != nil {
		writeError(w, &RequestError{http.StatusServiceUnavailable, "Streaming unavailable"})
		return
	}
	// A stream named in the query is subscribed right away (the go-mastodon
	// and masto clients use this form), before the handshake completes, so
	// that a client sees every event published once it is connected.
	q := r.URL.Query()
	var firstErr *RequestError
	if name := q.Get("stream"); name != "" {
		st, err := ParseStream(name, q.Get("tag"), q.Get("list"))
		if err != nil {
			firstErr = asRequestError(err)
		} else {
			firstErr = s.subscribe(r.Context(), st)
		}
	}
	opts := &websocket.AcceptOptions{
		// Tokens, never cookies, authenticate streams: any origin may
		// connect, as on Mastodon (web clients live on other origins).
		InsecureSkipVerify: true,
		CompressionMode:    websocket.CompressionDisabled,
	}
	if proto != "" {
		opts.Subprotocols = []string{proto}
	}
	sb := &smallBuffers{ResponseWriter: w, timeout: h.opts.WriteTimeout}
	conn, err := websocket.Accept(sb, r, opts)
	if err != nil {
		s.close(0, "")
		return // Accept answered the request
	}
	conn.SetReadLimit(maxWSRead)
	s.mu.Lock()
	s.ws, s.fc = conn, sb.fc
	closed := s.closed
	pending := len(s.queue) > 0 && !s.draining && !closed
	if pending {
		s.draining = true
	}
	s.mu.Unlock()
	if closed { // the hub closed meanwhile
		conn.CloseNow()
		return
	}
	h.conns.Add(1)
	if pending {
		go s.drainWS()
	}
	go s.readWS(firstErr)
}

func asRequestError(err error) *RequestError {
	var e *RequestError
	if errors.As(err, &e) {
		return e
	}
	return errMalformed
}

// smallBuffers hands the WebSocket library buffers sized for streaming
// instead of the HTTP server's 4 KB read buffer, and a frameConn to write
// through (kept in fc for the Handler's own writes).
type smallBuffers struct {
	http.ResponseWriter
	timeout time.Duration
	fc      *frameConn
}

func (w *smallBuffers) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *smallBuffers) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return conn, brw, err
	}
	w.fc = newFrameConn(conn, w.timeout)
	n := brw.Reader.Buffered()
	if n > wsReadBuffer {
		// Bytes already read do not fit: keep the server's read buffer.
		return w.fc, bufio.NewReadWriter(brw.Reader, bufio.NewWriterSize(w.fc, wsWriteBuffer)), nil
	}
	var src io.Reader = conn
	if n > 0 {
		b, _ := brw.Reader.Peek(n)
		src = io.MultiReader(bytes.NewReader(bytes.Clone(b)), conn)
	}
	br := bufio.NewReaderSize(src, wsReadBuffer)
	if n > 0 {
		_, _ = br.Peek(n) // keep them buffered: the library re-reads what is buffered
	}
	return w.fc, bufio.NewReadWriter(br, bufio.NewWriterSize(w.fc, wsWriteBuffer)), nil
}

// readWS handles client messages until the connection ends.
func (s *session) readWS(firstErr *RequestError) {
	defer s.h.conns.Add(-1)
	defer s.close(0, "")
	// Read ends when the client goes or close closes the connection: no
	// context is needed (one would cost a goroutine or a timer).
	ctx := context.Background()
	if firstErr != nil {
		s.sendError(firstErr)
	}
	for {
		typ, b, err := s.ws.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			s.sendError(errMalformed)
			continue
		}
		m, st, err := ParseClientMessage(b)
		if err != nil {
			s.sendError(asRequestError(err))
			continue
		}
		switch m.Type {
		case "subscribe":
			if e := s.subscribe(ctx, st); e != nil {
				s.sendError(e)
			}
		case "unsubscribe":
			s.unsubscribe(st)
		}
	}
}

func (s *session) sendError(e *RequestError) {
	if err := s.writeWS(errorFrame(e)); err != nil {
		s.close(0, "")
	}
}
