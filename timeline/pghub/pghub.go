// Package pghub is a timeline.Hub over PostgreSQL LISTEN/NOTIFY, so that
// several herd processes sharing one database stream each other's events.
//
// Publish sends each message with pg_notify on one PostgreSQL channel; every
// process LISTENs on it through github.com/lib/pq's Listener (which
// reconnects after a connection loss) and dispatches what arrives to its
// local subscribers through a timeline.MemoryHub. A message published by a
// process reaches that process's own subscribers the same way, so every
// subscriber sees messages in the order PostgreSQL delivered them.
package pghub

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/lib/pq"

	"github.com/herd-social/herd/timeline"
)

// DefaultChannel is the PostgreSQL notification channel used by default.
const DefaultChannel = "herd_timeline"

// Options tunes New.
type Options struct {
	// Channel is the PostgreSQL channel (default DefaultChannel); processes
	// must agree on it.
	Channel string
	Logger  *slog.Logger
}

// Hub is a timeline.Hub over PostgreSQL.
type Hub struct {
	db       *sql.DB
	channel  string
	local    *timeline.MemoryHub
	listener *pq.Listener
	log      *slog.Logger
	done     chan struct{}
}

var _ timeline.Hub = (*Hub)(nil)

// New connects a listener with dsn and publishes through db (which may be
// the application's pool). It returns once the listener is LISTENing.
func New(ctx context.Context, db *sql.DB, dsn string, opts *Options) (*Hub, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Channel == "" {
		o.Channel = DefaultChannel
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{db: db, channel: o.Channel, local: timeline.NewMemoryHub(), log: log, done: make(chan struct{})}
	h.listener = pq.NewListener(dsn, 100*time.Millisecond, 10*time.Second, func(ev pq.ListenerEventType, err error) {
		switch ev {
		case pq.ListenerEventDisconnected:
			log.Warn("timeline hub: listener disconnected", "err", err)
		case pq.ListenerEventReconnected:
			log.Info("timeline hub: listener reconnected")
		case pq.ListenerEventConnectionAttemptFailed:
			log.Warn("timeline hub: listener connection failed", "err", err)
		}
	})
	if err := h.listener.Listen(o.Channel); err != nil {
		h.listener.Close()
		return nil, fmt.Errorf("pghub: listen: %w", err)
	}
	go h.loop()
	return h, nil
}

func (h *Hub) loop() {
	defer close(h.done)
	for n := range h.listener.Notify {
		if n == nil { // reconnected: notifications may have been missed
			continue
		}
		var msgs []timeline.Message
		if err := json.Unmarshal([]byte(n.Extra), &msgs); err != nil {
			h.log.Warn("timeline hub: bad notification", "err", err)
			continue
		}
		h.local.Dispatch(msgs...)
	}
}

// notifyLimit is PostgreSQL's payload limit, less a margin.
const notifyLimit = 7900

// Publish implements timeline.Hub: messages are batched into as few
// notifications as fit PostgreSQL's 8000-byte payload limit.
func (h *Hub) Publish(ctx context.Context, msgs ...timeline.Message) error {
	for _, m := range msgs {
		if !timeline.ValidChannel(m.Channel) {
			return timeline.ErrInvalidChannel
		}
		if len(m.Data) > timeline.MaxDataLen {
			return timeline.ErrMessageTooLarge
		}
	}
	var batch []timeline.Message
	size := 2
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		b, err := json.Marshal(batch)
		if err != nil {
			return err
		}
		if _, err := h.db.ExecContext(ctx, "SELECT pg_notify($1, $2)", h.channel, string(b)); err != nil {
			return fmt.Errorf("pghub: notify: %w", err)
		}
		batch, size = batch[:0], 2
		return nil
	}
	for _, m := range msgs {
		b, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if size+len(b)+1 > notifyLimit {
			if err := flush(); err != nil {
				return err
			}
		}
		batch = append(batch, m)
		size += len(b) + 1
	}
	return flush()
}

// Subscribe implements timeline.Hub.
func (h *Hub) Subscribe(ctx context.Context, buffer int, channels ...string) (timeline.Subscription, error) {
	return h.local.Subscribe(ctx, buffer, channels...)
}

// Close implements timeline.Hub.
func (h *Hub) Close() error {
	err := h.listener.Close()
	<-h.done
	return errors.Join(err, h.local.Close())
}
