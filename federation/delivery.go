package federation

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/storage"
)

// Signers gives the signer of a local actor: the zero ID stands for the
// instance actor. Implementations should cache parsed keys.
type Signers interface {
	Signer(ctx context.Context, accountID storage.ID) (*signature.Signer, error)
}

// Poster sends one signed POST to an inbox; *transport.Client is one.
type Poster interface {
	Post(ctx context.Context, url string, body []byte, contentType string, signer transport.RequestSigner) (*transport.PostResult, error)
}

var _ Poster = (*transport.Client)(nil)

// DelivererOptions tunes a Deliverer. The zero value gives the defaults.
type DelivererOptions struct {
	// Workers bounds concurrent POSTs (default 64).
	Workers int
	// PerHost bounds concurrent POSTs to one host (default 8).
	PerHost int
	// Lease is how long a claimed delivery stays reserved for this process
	// (default 5 minutes); a crashed process's deliveries are retried after it.
	Lease time.Duration
	// PollInterval is how often an idle deliverer looks for due deliveries
	// (default 1 s); Wake makes it look at once.
	PollInterval time.Duration
	// MaxAge is how long a delivery is retried before it is dropped and its
	// host marked unavailable (default 7 days).
	MaxAge time.Duration
	// Backoff gives the delay before attempt n+1 after n failed attempts
	// (default: 30 s × 3ⁿ⁻¹ capped at 24 h, ±20 % jitter).
	Backoff func(attempts int) time.Duration
	// BreakerThreshold is the number of consecutive failures that opens a
	// host's circuit (default 5); BreakerCooldown the first pause (default
	// 1 minute, doubling on each reopening up to 1 hour).
	BreakerThreshold int
	BreakerCooldown  time.Duration
	// Instances, when set, records delivery success and failure per host and
	// the "unavailable" state; deliveries to unavailable hosts are skipped.
	Instances storage.Instances
	// Scheme is the signature scheme tried first on a host with no
	// remembered preference (default signature.SchemeCavage, which every
	// server accepts; signature.SchemeRFC9421 moves peers to the standard,
	// at the cost of a second POST to each host that refuses it, once).
	Scheme signature.Scheme
	// Blocked, when set, keeps deliveries away from blocked hosts: Deliver
	// leaves their inboxes out, and deliveries queued before the block are
	// dropped instead of sent.
	Blocked HostBlocker
	// OnGone is called when an inbox answers 410 Gone (the actor was deleted).
	OnGone func(ctx context.Context, inbox string)
	Logger *slog.Logger
	Now    func() time.Time
}

// Deliverer posts queued activities to remote inboxes: a worker pool over
// the durable storage.Deliveries queue, with per-host concurrency limits,
// exponential backoff, Retry-After, a per-host circuit breaker, and
// "double-knock" signing (draft-cavage first, RFC 9421 when a host refuses
// it; the choice is remembered per host).
type Deliverer struct {
	q       storage.Deliveries
	post    Poster
	signers Signers
	o       DelivererOptions
	log     *slog.Logger

	wake chan struct{}

	mu    sync.Mutex
	hosts map[string]*hostState

	delivered, retried, dropped, failed atomic.Int64
}

type hostState struct {
	inflight  int
	failures  int // consecutive
	openUntil time.Time
	cooldown  time.Duration
	scheme    signature.Scheme
	recorded  time.Time // last write of the instance record
}

// NewDeliverer returns a Deliverer over queue q.
func NewDeliverer(q storage.Deliveries, post Poster, signers Signers, opts *DelivererOptions) *Deliverer {
	var o DelivererOptions
	if opts != nil {
		o = *opts
	}
	if o.Workers <= 0 {
		o.Workers = 64
	}
	if o.PerHost <= 0 {
		o.PerHost = 8
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = time.Second
	}
	if o.MaxAge <= 0 {
		o.MaxAge = 7 * 24 * time.Hour
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	if o.BreakerThreshold <= 0 {
		o.BreakerThreshold = 5
	}
	if o.BreakerCooldown <= 0 {
		o.BreakerCooldown = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Scheme != signature.SchemeRFC9421 {
		o.Scheme = signature.SchemeCavage
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{q: q, post: post, signers: signers, o: o, log: log,
		wake: make(chan struct{}, 1), hosts: map[string]*hostState{}}
}

// DefaultBackoff is 30 s × 3ⁿ⁻¹ capped at 24 h, with ±20 % jitter: about
// thirteen attempts over a week.
func DefaultBackoff(attempts int) time.Duration {
	if attempts < 1 {
		attempts = 1
	}
	d := 30 * time.Second
	for i := 1; i < attempts && d < 24*time.Hour; i++ {
		d *= 3
	}
	d = min(d, 24*time.Hour)
	jitter := 0.8 + 0.4*rand.Float64()
	return time.Duration(float64(d) * jitter)
}

// Deliver queues an activity for the given inboxes and wakes the workers.
// Inboxes on hosts marked unavailable are skipped.
func (d *Deliverer) Deliver(ctx context.Context, a *storage.OutgoingActivity) error {
	if d.o.Blocked != nil {
		kept := a.Inboxes[:0:0]
		for _, in := range a.Inboxes {
			if !d.o.Blocked.HostBlocked(ctx, hostOf(in)) {
				kept = append(kept, in)
			}
		}
		cp := *a
		cp.Inboxes = kept
		a = &cp
	}
	if d.o.Instances != nil {
		kept := a.Inboxes[:0:0]
		unavailable := map[string]bool{}
		for _, in := range a.Inboxes {
			h := hostOf(in)
			if _, seen := unavailable[h]; !seen {
				inst, err := d.o.Instances.Get(ctx, h)
				unavailable[h] = err == nil && inst.UnavailableSince != nil
			}
			if !unavailable[h] {
				kept = append(kept, in)
			}
		}
		cp := *a
		cp.Inboxes = kept
		a = &cp
	}
	if err := d.q.Enqueue(ctx, a); err != nil {
		return fmt.Errorf("deliver %s: %w", a.URI, err)
	}
	d.Wake()
	return nil
}

// Wake makes an idle deliverer look for due deliveries at once.
func (d *Deliverer) Wake() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// DelivererStats counts what a Deliverer did since it started.
type DelivererStats struct {
	Delivered, Retried, Dropped, Failed int64
	OpenCircuits                        []string
}

// Stats returns counters and the hosts whose circuit is open.
func (d *Deliverer) Stats() DelivererStats {
	s := DelivererStats{Delivered: d.delivered.Load(), Retried: d.retried.Load(), Dropped: d.dropped.Load(), Failed: d.failed.Load()}
	now := d.o.Now()
	d.mu.Lock()
	for h, st := range d.hosts {
		if st.openUntil.After(now) {
			s.OpenCircuits = append(s.OpenCircuits, h)
		}
	}
	d.mu.Unlock()
	return s
}

// Run delivers until ctx is cancelled, then waits for POSTs in flight.
func (d *Deliverer) Run(ctx context.Context) error {
	type job struct {
		del     *storage.Delivery
		claimed time.Time
	}
	var pool []job
	done := make(chan string, d.o.Workers)
	inflight := 0
	timer := time.NewTimer(0)
	defer timer.Stop()
	claimEmpty := false
	for {
		now := d.o.Now()
		// Start what the limits allow, oldest claim first.
		kept := pool[:0]
		for _, j := range pool {
			h := j.del.Host
			d.mu.Lock()
			st := d.host(h)
			ok := inflight < d.o.Workers && st.inflight < d.o.PerHost && !st.openUntil.After(now)
			if ok {
				st.inflight++
			}
			d.mu.Unlock()
			switch {
			case ok:
				inflight++
				go func(del *storage.Delivery) {
					d.attempt(context.WithoutCancel(ctx), del)
					done <- del.Host
				}(j.del)
			case now.Sub(j.claimed) > d.o.Lease/2:
				// Held too long behind a busy host: give the lease back.
				_ = d.q.Retry(ctx, j.del.ID, now, j.del.LastError)
			default:
				kept = append(kept, j)
			}
		}
		pool = kept
		// Claim more when there is room.
		if ctx.Err() == nil && len(pool) < d.o.Workers && !claimEmpty {
			ds, err := d.q.Claim(ctx, 2*d.o.Workers-len(pool), now, d.o.Lease, d.skipHosts(now))
			if err != nil && ctx.Err() == nil {
				d.log.Warn("claim deliveries", "err", err)
			}
			for _, del := range ds {
				pool = append(pool, job{del, now})
			}
			claimEmpty = len(ds) == 0
			if len(ds) > 0 {
				continue
			}
		}
		if ctx.Err() != nil {
			for _, j := range pool {
				_ = d.q.Retry(context.WithoutCancel(ctx), j.del.ID, now, j.del.LastError)
			}
			for ; inflight > 0; inflight-- {
				d.release(<-done)
			}
			return nil
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(d.o.PollInterval)
		select {
		case h := <-done:
			inflight--
			d.release(h)
			claimEmpty = false
		case <-d.wake:
			claimEmpty = false
		case <-timer.C:
			claimEmpty = false
		case <-ctx.Done():
		}
	}
}

func (d *Deliverer) host(h string) *hostState {
	st := d.hosts[h]
	if st == nil {
		st = &hostState{cooldown: d.o.BreakerCooldown, scheme: d.o.Scheme}
		d.hosts[h] = st
	}
	return st
}

// HostScheme returns the signature scheme the Deliverer signs with for host
// (host[:port], as in storage.Delivery.Host): the one remembered after a
// double-knock, else DelivererOptions.Scheme.
func (d *Deliverer) HostScheme(host string) signature.Scheme {
	d.mu.Lock()
	defer d.mu.Unlock()
	if st := d.hosts[host]; st != nil {
		return st.scheme
	}
	return d.o.Scheme
}

func (d *Deliverer) release(h string) {
	d.mu.Lock()
	d.host(h).inflight--
	d.mu.Unlock()
}

func (d *Deliverer) skipHosts(now time.Time) []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	var out []string
	for h, st := range d.hosts {
		if st.openUntil.After(now) || st.inflight >= d.o.PerHost {
			out = append(out, h)
		}
	}
	return out
}

// outcome classifies a delivery attempt.
type outcome int

const (
	delivered outcome = iota
	retry
	drop
)

func (d *Deliverer) attempt(ctx context.Context, del *storage.Delivery) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if d.o.Blocked != nil && d.o.Blocked.HostBlocked(ctx, del.Host) {
		d.dropped.Add(1)
		d.log.Info("delivery dropped: host blocked", "inbox", del.Inbox, "activity", del.ActivityURI)
		if err := d.q.Drop(ctx, del.ID); err != nil {
			d.log.Warn("delivery drop", "err", err)
		}
		return
	}
	d.mu.Lock()
	scheme := d.host(del.Host).scheme
	d.mu.Unlock()

	res, err := d.send(ctx, del, scheme)
	if res != nil && (res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden) {
		// Double-knock: the host may want the other signature scheme.
		other := scheme.Other()
		if res2, _ := d.send(ctx, del, other); res2 != nil && res2.OK() {
			d.mu.Lock()
			d.host(del.Host).scheme = other
			d.mu.Unlock()
			d.log.Info("delivery: host prefers another signature scheme", "host", del.Host, "scheme", other.String())
			res, err = res2, nil
		}
	}
	now := d.o.Now()
	out, wait := d.classify(res, err)
	log := d.log.With("inbox", del.Inbox, "activity", del.ActivityURI, "attempt", del.Attempts)
	switch out {
	case delivered:
		d.delivered.Add(1)
		d.hostSucceeded(ctx, del.Host, now)
		if err := d.q.Done(ctx, del.ID); err != nil {
			log.Warn("delivery done", "err", err)
		}
	case drop:
		d.dropped.Add(1)
		log.Info("delivery dropped", "err", err)
		if res != nil && res.StatusCode == http.StatusGone && d.o.OnGone != nil {
			d.o.OnGone(ctx, del.Inbox)
		}
		if res != nil {
			// The host answered: it is up, whatever it thought of this inbox.
			d.hostSucceeded(ctx, del.Host, now)
		}
		if err := d.q.Drop(ctx, del.ID); err != nil {
			log.Warn("delivery drop", "err", err)
		}
	case retry:
		d.failed.Add(1)
		d.hostFailed(ctx, del.Host, now)
		if now.Sub(del.CreatedAt) > d.o.MaxAge {
			d.dropped.Add(1)
			log.Warn("delivery given up", "err", err, "age", now.Sub(del.CreatedAt).Round(time.Minute))
			d.markUnavailable(ctx, del.Host, now)
			if err := d.q.Drop(ctx, del.ID); err != nil {
				log.Warn("delivery drop", "err", err)
			}
			return
		}
		next := now.Add(max(d.o.Backoff(del.Attempts), wait))
		d.retried.Add(1)
		log.Debug("delivery retry", "err", err, "next", next)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		if err := d.q.Retry(ctx, del.ID, next, msg); err != nil {
			log.Warn("delivery retry", "err", err)
		}
	}
}

func (d *Deliverer) send(ctx context.Context, del *storage.Delivery, scheme signature.Scheme) (*transport.PostResult, error) {
	s, err := d.signers.Signer(ctx, del.SignerID)
	if err != nil {
		return nil, fmt.Errorf("signer %s: %w", del.SignerID, err)
	}
	return d.post.Post(ctx, del.Inbox, del.Body, transport.ContentTypeActivity, schemeSigner{s, scheme})
}

// classify decides what to do after an attempt, and for how long to wait at
// least (Retry-After).
func (d *Deliverer) classify(res *transport.PostResult, err error) (outcome, time.Duration) {
	if res != nil {
		switch c := res.StatusCode; {
		case c >= 200 && c < 300:
			return delivered, 0
		case c == http.StatusNotFound || c == http.StatusGone:
			return drop, 0
		case c == http.StatusTooManyRequests || c == http.StatusRequestTimeout || c >= 500:
			return retry, res.RetryAfter
		case c >= 400:
			// The peer refuses this activity (bad request, forbidden, too
			// large …): retrying will not change its mind.
			return drop, 0
		default:
			return retry, res.RetryAfter
		}
	}
	if errors.Is(err, transport.ErrForbiddenAddress) || errors.Is(err, transport.ErrSchemeNotAllowed) {
		return drop, 0
	}
	return retry, 0
}

func (d *Deliverer) hostSucceeded(ctx context.Context, h string, now time.Time) {
	d.mu.Lock()
	st := d.host(h)
	wasFailing := st.failures > 0
	st.failures, st.openUntil, st.cooldown = 0, time.Time{}, d.o.BreakerCooldown
	record := wasFailing || now.Sub(st.recorded) > time.Minute
	if record {
		st.recorded = now
	}
	d.mu.Unlock()
	if d.o.Instances == nil || !record {
		return
	}
	inst, err := d.o.Instances.Get(ctx, h)
	if err != nil {
		inst = &storage.Instance{Domain: h}
	}
	inst.LastSuccessAt = &now
	inst.FailureCount = 0
	inst.UnavailableSince = nil
	if err := d.o.Instances.Upsert(ctx, inst); err != nil {
		d.log.Warn("record instance success", "host", h, "err", err)
	}
}

func (d *Deliverer) hostFailed(ctx context.Context, h string, now time.Time) {
	d.mu.Lock()
	st := d.host(h)
	st.failures++
	var until time.Time
	if st.failures >= d.o.BreakerThreshold && !st.openUntil.After(now) {
		until = now.Add(st.cooldown)
		st.openUntil = until
		st.cooldown = min(2*st.cooldown, time.Hour)
	}
	d.mu.Unlock()
	if !until.IsZero() {
		d.log.Info("delivery: circuit open", "host", h, "until", until)
		if err := d.q.DeferHost(ctx, h, until); err != nil {
			d.log.Warn("defer host", "host", h, "err", err)
		}
	}
	if d.o.Instances == nil {
		return
	}
	inst, err := d.o.Instances.Get(ctx, h)
	if err != nil {
		inst = &storage.Instance{Domain: h}
	}
	inst.LastFailureAt = &now
	inst.FailureCount++
	if err := d.o.Instances.Upsert(ctx, inst); err != nil {
		d.log.Warn("record instance failure", "host", h, "err", err)
	}
}

func (d *Deliverer) markUnavailable(ctx context.Context, h string, now time.Time) {
	if d.o.Instances == nil {
		return
	}
	inst, err := d.o.Instances.Get(ctx, h)
	if err != nil {
		inst = &storage.Instance{Domain: h}
	}
	if inst.UnavailableSince == nil {
		inst.UnavailableSince = &now
		d.log.Warn("host marked unavailable", "host", h)
	}
	if err := d.o.Instances.Upsert(ctx, inst); err != nil {
		d.log.Warn("mark host unavailable", "host", h, "err", err)
	}
}

// MarkAvailable clears a host's unavailable state, e.g. when an activity
// arrives from it.
func MarkAvailable(ctx context.Context, instances storage.Instances, host string) error {
	inst, err := instances.Get(ctx, host)
	if err != nil || inst.UnavailableSince == nil {
		return nil
	}
	inst.UnavailableSince = nil
	inst.FailureCount = 0
	return instances.Upsert(ctx, inst)
}

// schemeSigner signs with one scheme of a Signer.
type schemeSigner struct {
	s      *signature.Signer
	scheme signature.Scheme
}

func (s schemeSigner) SignRequest(r *http.Request, body []byte) error {
	return s.s.SignScheme(s.scheme, r, body)
}

func hostOf(inbox string) string {
	u, err := url.Parse(inbox)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}
