package storage

import (
	"crypto/rand"
	"database/sql/driver"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// ID identifies a record. It is a 64-bit, time-ordered number: the upper 48
// bits hold milliseconds since the Unix epoch, the lower 16 bits a node
// number and a sequence. The zero ID means "none"; it is stored as NULL.
type ID int64

// String renders the ID as a decimal string, as the Mastodon API expects.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }

// IsZero reports whether id is the zero ID.
func (id ID) IsZero() bool { return id == 0 }

// Time returns the creation time encoded in the ID.
func (id ID) Time() time.Time { return time.UnixMilli(int64(id) >> 16).UTC() }

// MarshalText renders the ID as a decimal string.
func (id ID) MarshalText() ([]byte, error) { return []byte(id.String()), nil }

// UnmarshalText parses a decimal ID.
func (id *ID) UnmarshalText(b []byte) error {
	v, err := ParseID(string(b))
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// Value implements driver.Valuer: the zero ID is stored as NULL.
func (id ID) Value() (driver.Value, error) {
	if id == 0 {
		return nil, nil
	}
	return int64(id), nil
}

// Scan implements sql.Scanner: NULL scans as the zero ID.
func (id *ID) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*id = 0
	case int64:
		*id = ID(v)
	case []byte:
		p, err := ParseID(string(v))
		if err != nil {
			return err
		}
		*id = p
	case string:
		p, err := ParseID(v)
		if err != nil {
			return err
		}
		*id = p
	default:
		return fmt.Errorf("storage: cannot scan %T into ID", src)
	}
	return nil
}

// ParseID parses a decimal ID. It rejects negative numbers, signs and
// anything but ASCII digits.
func ParseID(s string) (ID, error) {
	if s == "" || len(s) > 19 {
		return 0, fmt.Errorf("storage: invalid id %q", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("storage: invalid id %q", s)
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("storage: invalid id %q", s)
	}
	return ID(v), nil
}

const (
	idTimeShift = 16
	idNodeBits  = 6
	idSeqBits   = 10
	idSeqMask   = 1<<idSeqBits - 1
)

// IDGenerator hands out IDs that increase strictly, even when called from
// many goroutines within the same millisecond. Each generator draws a random
// node number so that several processes sharing one database rarely collide;
// a collision surfaces as ErrConflict on insert.
type IDGenerator struct {
	mu   sync.Mutex
	node int64
	last int64 // last millisecond used
	seq  int64
	now  func() time.Time
}

// NewIDGenerator returns a generator with a random node number.
func NewIDGenerator() *IDGenerator {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return &IDGenerator{node: int64(binary.BigEndian.Uint16(b[:])) & (1<<idNodeBits - 1), now: time.Now}
}

// Next returns a new ID greater than every ID this generator returned before.
func (g *IDGenerator) Next() ID {
	g.mu.Lock()
	defer g.mu.Unlock()
	ms := g.now().UnixMilli()
	if ms <= g.last {
		g.seq++
		if g.seq > idSeqMask {
			// Sequence exhausted within this millisecond: borrow the next one.
			g.last++
			g.seq = 0
		}
		ms = g.last
	} else {
		g.last = ms
		g.seq = 0
	}
	return ID(ms<<idTimeShift | g.node<<idSeqBits | g.seq)
}

// IDAt returns an ID for a record created at t (such as a remote status with
// its published time), with random low bits. It is not guaranteed unique;
// callers retry on ErrConflict.
func IDAt(t time.Time) ID {
	var b [2]byte
	_, _ = rand.Read(b[:])
	return ID(t.UnixMilli()<<idTimeShift | int64(binary.BigEndian.Uint16(b[:])))
}

// MinIDAt returns the smallest ID that can be created at t; useful as a
// pagination cursor derived from a time.
func MinIDAt(t time.Time) ID { return ID(t.UnixMilli() << idTimeShift) }
