package streaming

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// router holds the Handler's one hub subscription, carrying the channels
// of every session, and hands each message to the sessions of its channel.
// It also runs the sweeper that sends heartbeats and re-checks tokens.
type router struct {
	h *Handler

	mu       sync.RWMutex
	sub      timeline.Subscription // nil until the first session subscribes
	closed   bool                  // the hub closed: no new sessions
	byChan   map[string]map[*session]struct{}
	sessions map[*session]struct{}
	work     []chan fanout // one per fan-out worker
	shards   atomic.Uint32 // assigns sessions to workers round-robin
}

// fanout is one message for the sessions of one worker.
type fanout struct {
	m        timeline.Message
	at       time.Time
	sessions []*session
}

var errHubClosed = errors.New("streaming: hub closed")

// start opens the hub subscription and the sweeper (r.mu held).
func (r *router) startLocked() error {
	if r.closed {
		return errHubClosed
	}
	if r.sub != nil {
		return nil
	}
	sub, err := r.h.hub.Subscribe(context.Background(), r.h.opts.HubBuffer)
	if err != nil {
		return err
	}
	r.sub = sub
	if r.byChan == nil {
		r.byChan = map[string]map[*session]struct{}{}
		r.sessions = map[*session]struct{}{}
		r.work = make([]chan fanout, r.h.opts.Workers)
		for i := range r.work {
			r.work[i] = make(chan fanout, 256)
			go r.worker(r.work[i])
		}
		go r.sweep()
	}
	go r.loop(sub)
	return nil
}

// register makes a session known to the sweeper.
func (r *router) register(s *session) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.startLocked(); err != nil {
		return err
	}
	r.sessions[s] = struct{}{}
	s.shard = int(r.shards.Add(1) % uint32(len(r.work)))
	return nil
}

// add routes channels to s.
func (r *router) add(s *session, channels ...string) error {
	if len(channels) == 0 {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.startLocked(); err != nil {
		return err
	}
	var fresh []string
	for _, c := range channels {
		set := r.byChan[c]
		if set == nil {
			set = map[*session]struct{}{}
			r.byChan[c] = set
			fresh = append(fresh, c)
		}
		set[s] = struct{}{}
	}
	if len(fresh) > 0 {
		if err := r.sub.Add(fresh...); err != nil {
			for _, c := range channels {
				r.removeLocked(s, c)
			}
			return err
		}
	}
	return nil
}

// remove stops routing channels to s.
func (r *router) remove(s *session, channels ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range channels {
		r.removeLocked(s, c)
	}
}

func (r *router) removeLocked(s *session, c string) {
	set := r.byChan[c]
	if set == nil {
		return
	}
	delete(set, s)
	if len(set) == 0 {
		delete(r.byChan, c)
		if r.sub != nil {
			_ = r.sub.Remove(c)
		}
	}
}

// drop forgets a session.
func (r *router) drop(s *session) {
	s.mu.Lock()
	var chans []string
	for _, e := range s.streams {
		chans = append(chans, e.channels...)
	}
	s.mu.Unlock()
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.sessions, s)
	for _, c := range chans {
		r.removeLocked(s, c)
	}
}

// loop hands the messages of sub to the sessions until it ends. A
// subscription the hub dropped for slowness is replaced (the events in
// between are lost); a closed hub ends every session.
func (r *router) loop(sub timeline.Subscription) {
	parts := make([][]*session, len(r.work))
	for m := range sub.C() {
		at := time.Now()
		r.mu.RLock()
		set := r.byChan[m.Channel]
		for s := range set {
			if parts[s.shard] == nil {
				parts[s.shard] = make([]*session, 0, len(set)/len(parts)+8)
			}
			parts[s.shard] = append(parts[s.shard], s)
		}
		r.mu.RUnlock()
		for i, p := range parts {
			if len(p) > 0 {
				r.work[i] <- fanout{m: m, at: at, sessions: p}
				parts[i] = nil
			}
		}
	}
	err := sub.Err()
	r.mu.Lock()
	if r.sub != sub {
		r.mu.Unlock()
		return
	}
	r.sub = nil
	if errors.Is(err, timeline.ErrSlowSubscriber) {
		r.h.log.Error("streaming: hub subscription dropped for slowness; resubscribing (events were lost)")
		chans := make([]string, 0, len(r.byChan))
		for c := range r.byChan {
			chans = append(chans, c)
		}
		if err := r.startLocked(); err == nil {
			if err := r.sub.Add(chans...); err == nil {
				r.mu.Unlock()
				return
			}
		}
	}
	r.closed = true
	all := make([]*session, 0, len(r.sessions))
	for s := range r.sessions {
		all = append(all, s)
	}
	for _, w := range r.work {
		close(w) // this loop was their only sender: the workers end
	}
	r.mu.Unlock()
	for _, s := range all {
		s.close(websocket.StatusGoingAway, "server shutting down")
	}
}

// worker delivers the messages of its sessions. The renderings of one
// message are memoised per viewer.
func (r *router) worker(jobs <-chan fanout) {
	memo := map[storage.ID]*rendered{}
	var targets []*streamEntry
	for j := range jobs {
		clear(memo)
		for _, s := range j.sessions {
			var ok bool
			targets, ok = s.deliver(j.m, j.at, memo, targets)
			if !ok {
				s.close(0, "") // its queue is full or its connection broke
			}
		}
	}
}

// tick is the sweeper's interval.
func (r *router) tick() time.Duration {
	o := r.h.opts
	return max(min(o.Heartbeat, o.RecheckInterval)/4, 5*time.Millisecond)
}

// sweep sends heartbeats and re-checks tokens when they are due, until the
// hub closes. Token checks run a few at a time.
func (r *router) sweep() {
	t := time.NewTicker(r.tick())
	defer t.Stop()
	checks := make(chan struct{}, 8)
	var due []*session
	for now := range t.C {
		r.mu.RLock()
		if r.closed {
			r.mu.RUnlock()
			return
		}
		due = due[:0]
		for s := range r.sessions {
			if now.Sub(s.lastBeat) >= r.h.opts.Heartbeat || now.Sub(s.lastCheck) >= r.h.opts.RecheckInterval {
				due = append(due, s)
			}
		}
		r.mu.RUnlock()
		for _, s := range due {
			if now.Sub(s.lastBeat) >= r.h.opts.Heartbeat {
				s.lastBeat = now
				s.heartbeat()
			}
			if s.token != "" && now.Sub(s.lastCheck) >= r.h.opts.RecheckInterval && s.checking.CompareAndSwap(false, true) {
				s.lastCheck = now
				checks <- struct{}{}
				go func() {
					defer func() { <-checks }()
					if !s.recheck(context.Background()) {
						s.close(websocket.StatusPolicyViolation, "access token revoked")
					}
					s.checking.Store(false)
				}()
			}
		}
	}
}
