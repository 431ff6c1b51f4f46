package streaming

import (
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// frameConn is the connection under a WebSocket. The WebSocket library
// writes its control frames (pings, pongs, close) through it, and the
// Handler writes its event frames — encoded once per event and shared by
// every connection that receives them — straight to it, bypassing the
// library's per-message writer. A mutex keeps each Write whole: the
// library's control frames are small enough to reach us as one Write
// (its write buffer holds them), so frames never interleave.
//
// Writes carry a deadline of Options.WriteTimeout, refreshed lazily (see
// arm) to keep the common path cheap.
type frameConn struct {
	net.Conn
	rc      syscall.RawConn // nil when the connection has no file descriptor (TLS…): no non-blocking writes
	timeout time.Duration

	mu    sync.Mutex
	armed time.Time // when the write deadline was last set
}

func newFrameConn(c net.Conn, timeout time.Duration) *frameConn {
	fc := &frameConn{Conn: c, timeout: timeout}
	if sc, ok := c.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			fc.rc = rc
		}
	}
	return fc
}

// arm refreshes the write deadline when it was set more than an eighth of
// the timeout (at most a second) ago (fc.mu held): every write thus has
// at least 7/8 of the timeout.
func (fc *frameConn) arm(now time.Time) error {
	if now.Sub(fc.armed) < min(time.Second, fc.timeout/8) {
		return nil
	}
	fc.armed = now
	return fc.Conn.SetWriteDeadline(now.Add(fc.timeout))
}

// Write writes b whole (blocking up to the write deadline).
func (fc *frameConn) Write(b []byte) (int, error) {
	fc.mu.Lock()
	defer fc.mu.Unlock()
	if err := fc.arm(time.Now()); err != nil {
		return 0, err
	}
	return fc.Conn.Write(b)
}

// errWouldBlock reports a write that could not complete without blocking.
var errWouldBlock = errors.New("streaming: write would block")

// tryWrite writes as much of b as the socket takes without blocking and
// returns how much it wrote. It returns errWouldBlock when some of b is
// left (the socket buffer is full, or the connection cannot write without
// blocking at all); the caller then writes the rest from a goroutine of
// its own. When part of b was written (0 < n < len(b)), tryWrite returns
// with fc's lock still held, so that nothing (a ping from the library)
// slips into the middle of the frame: the caller must finish it with
// finish, or release it with unlock.
func (fc *frameConn) tryWrite(b []byte) (int, error) {
	if fc.rc == nil {
		return 0, errWouldBlock
	}
	fc.mu.Lock()
	if err := fc.arm(time.Now()); err != nil {
		fc.mu.Unlock()
		return 0, err
	}
	n := 0
	var werr error
	err := fc.rc.Write(func(fd uintptr) bool {
		for n < len(b) {
			m, e := syscall.Write(int(fd), b[n:])
			if m > 0 {
				n += m
			}
			if e == syscall.EINTR {
				continue
			}
			if e == syscall.EAGAIN {
				break
			}
			if e != nil {
				werr = e
				break
			}
			if m == 0 {
				werr = syscall.EIO
				break
			}
		}
		return true // never wait: the caller's goroutine writes the rest
	})
	if err == nil {
		err = werr
	}
	if err == nil && n < len(b) {
		if n > 0 {
			return n, errWouldBlock // fc.mu stays held: see finish
		}
		err = errWouldBlock
	}
	fc.mu.Unlock()
	return n, err
}

// finish writes the rest of a frame tryWrite began, then releases the lock
// tryWrite kept.
func (fc *frameConn) finish(rest []byte) error {
	defer fc.mu.Unlock()
	if err := fc.arm(time.Now()); err != nil {
		return err
	}
	_, err := fc.Conn.Write(rest)
	return err
}

// unlock releases the lock tryWrite kept, without finishing the frame (the
// connection is being closed).
func (fc *frameConn) unlock() { fc.mu.Unlock() }

// appendWSHeader appends the header of an unmasked, final text frame of n
// bytes (RFC 6455 section 5.2).
func appendWSHeader(b []byte, n int) []byte {
	b = append(b, 0x81)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		b = append(b, 126)
		return binary.BigEndian.AppendUint16(b, uint16(n))
	default:
		b = append(b, 127)
		return binary.BigEndian.AppendUint64(b, uint64(n))
	}
}

// wsHeaderLen is the length of the header appendWSHeader writes for n.
func wsHeaderLen(n int) int {
	switch {
	case n < 126:
		return 2
	case n <= 0xffff:
		return 4
	default:
		return 10
	}
}

// wsTextFrame wraps a text message in a WebSocket frame.
func wsTextFrame(msg []byte) []byte {
	b := make([]byte, 0, wsHeaderLen(len(msg))+len(msg))
	return append(appendWSHeader(b, len(msg)), msg...)
}
