package timeline

import (
	"context"
	"sync"
)

// MemoryHub is the in-process Hub. It is also the local fan-out stage of
// hubs that carry messages between processes.
type MemoryHub struct {
	mu     sync.RWMutex
	subs   map[string]map[*memSub]struct{}
	closed bool
}

var _ Hub = (*MemoryHub)(nil)

// NewMemoryHub returns an empty in-process hub.
func NewMemoryHub() *MemoryHub { return &MemoryHub{subs: map[string]map[*memSub]struct{}{}} }

// Publish implements Hub.
func (h *MemoryHub) Publish(_ context.Context, msgs ...Message) error {
	if err := validate(msgs); err != nil {
		return err
	}
	h.Dispatch(msgs...)
	return nil
}

// Dispatch delivers already-validated messages to local subscribers. Hubs
// that receive messages from elsewhere call it.
func (h *MemoryHub) Dispatch(msgs ...Message) {
	var slow []*memSub
	h.mu.RLock()
	if h.closed {
		h.mu.RUnlock()
		return
	}
	for _, m := range msgs {
		for s := range h.subs[m.Channel] {
			if !s.offer(m) {
				slow = append(slow, s)
			}
		}
	}
	h.mu.RUnlock()
	for _, s := range slow {
		s.end(ErrSlowSubscriber)
	}
}

// Subscribe implements Hub.
func (h *MemoryHub) Subscribe(_ context.Context, buffer int, channels ...string) (Subscription, error) {
	if buffer <= 0 {
		buffer = DefaultBuffer
	}
	for _, c := range channels {
		if !ValidChannel(c) {
			return nil, ErrInvalidChannel
		}
	}
	s := &memSub{hub: h, ch: make(chan Message, buffer), chans: map[string]bool{}}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	for _, c := range channels {
		h.addLocked(s, c)
	}
	return s, nil
}

func (h *MemoryHub) addLocked(s *memSub, c string) {
	set := h.subs[c]
	if set == nil {
		set = map[*memSub]struct{}{}
		h.subs[c] = set
	}
	set[s] = struct{}{}
	s.chans[c] = true
}

func (h *MemoryHub) removeLocked(s *memSub, c string) {
	if set := h.subs[c]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.subs, c)
		}
	}
	delete(s.chans, c)
}

// Subscribers counts the open subscriptions (for metrics and tests).
func (h *MemoryHub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	seen := map[*memSub]bool{}
	for _, set := range h.subs {
		for s := range set {
			seen[s] = true
		}
	}
	return len(seen)
}

// Close implements Hub.
func (h *MemoryHub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	var all []*memSub
	seen := map[*memSub]bool{}
	for _, set := range h.subs {
		for s := range set {
			if !seen[s] {
				seen[s] = true
				all = append(all, s)
			}
		}
	}
	h.mu.Unlock()
	for _, s := range all {
		s.end(ErrClosed)
	}
	return nil
}

type memSub struct {
	hub   *MemoryHub
	ch    chan Message
	chans map[string]bool // guarded by hub.mu

	once sync.Once
	mu   sync.Mutex // guards err and sends vs. close
	err  error
}

// offer sends m without blocking; false means the buffer is full.
func (s *memSub) offer(m Message) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return true
	}
	select {
	case s.ch <- m:
		return true
	default:
		return false
	}
}

func (s *memSub) end(err error) {
	s.once.Do(func() {
		s.hub.mu.Lock()
		for c := range s.chans {
			s.hub.removeLocked(s, c)
		}
		s.hub.mu.Unlock()
		s.mu.Lock()
		s.err = err
		close(s.ch)
		s.mu.Unlock()
	})
}

func (s *memSub) C() <-chan Message { return s.ch }

func (s *memSub) Add(channels ...string) error {
	for _, c := range channels {
		if !ValidChannel(c) {
			return ErrInvalidChannel
		}
	}
	if err := s.Err(); err != nil {
		return err
	}
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	for _, c := range channels {
		s.hub.addLocked(s, c)
	}
	return nil
}

func (s *memSub) Remove(channels ...string) error {
	s.hub.mu.Lock()
	defer s.hub.mu.Unlock()
	for _, c := range channels {
		s.hub.removeLocked(s, c)
	}
	return nil
}

func (s *memSub) Channels() []string {
	s.hub.mu.RLock()
	defer s.hub.mu.RUnlock()
	out := make([]string, 0, len(s.chans))
	for c := range s.chans {
		out = append(out, c)
	}
	return out
}

func (s *memSub) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *memSub) Close() { s.end(ErrSubscriptionDone) }
