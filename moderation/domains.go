package moderation

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/storage"
)

// DefaultDomainsTTL is how long a Domains snapshot is used before it is
// reloaded: the longest another process may act on an outdated block.
const DefaultDomainsTTL = 5 * time.Second

// DomainsOptions tunes Domains.
type DomainsOptions struct {
	// AllowList turns on allow-list federation (Mastodon's limited
	// federation mode): only allowed domains (and their subdomains) may
	// federate; every other one is treated as suspended.
	AllowList bool
	// LocalDomain is this server's host: it is never blocked.
	LocalDomain string
	// TTL bounds the age of the snapshot (default DefaultDomainsTTL).
	TTL    time.Duration
	Logger *slog.Logger
	Now    func() time.Time
}

// Domains is an in-memory view of the instance's domain blocks and allows,
// refreshed from storage. It is safe for concurrent use, and its methods
// answer without I/O except when the snapshot is due for a reload.
type Domains struct {
	store storage.Store
	o     DomainsOptions
	log   *slog.Logger

	snap   atomic.Pointer[domainSnapshot]
	loadMu sync.Mutex
}

type domainSnapshot struct {
	blocks map[string]*storage.InstanceDomainBlock
	allows map[string]bool
	at     time.Time
}

// NewDomains returns a view of store's domain blocks and allows. The first
// query loads them.
func NewDomains(store storage.Store, opts *DomainsOptions) *Domains {
	var o DomainsOptions
	if opts != nil {
		o = *opts
	}
	if o.TTL <= 0 {
		o.TTL = DefaultDomainsTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.LocalDomain = strings.ToLower(o.LocalDomain)
	d := &Domains{store: store, o: o, log: o.Logger}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	return d
}

// AllowList reports whether allow-list federation is on.
func (d *Domains) AllowList() bool { return d.o.AllowList }

// Reload reads the blocks and allows from storage now. Call it after
// writing them, so that this process applies the change at once.
func (d *Domains) Reload(ctx context.Context) error {
	d.loadMu.Lock()
	defer d.loadMu.Unlock()
	return d.load(ctx)
}

func (d *Domains) load(ctx context.Context) error {
	blocks, err := d.store.InstanceDomainBlocks().All(ctx)
	if err != nil {
		return fmt.Errorf("moderation: load domain blocks: %w", err)
	}
	allows, err := d.store.DomainAllows().All(ctx)
	if err != nil {
		return fmt.Errorf("moderation: load domain allows: %w", err)
	}
	s := &domainSnapshot{blocks: make(map[string]*storage.InstanceDomainBlock, len(blocks)), allows: make(map[string]bool, len(allows)), at: d.o.Now()}
	for _, b := range blocks {
		s.blocks[strings.ToLower(b.Domain)] = b
	}
	for _, a := range allows {
		s.allows[strings.ToLower(a.Domain)] = true
	}
	d.snap.Store(s)
	return nil
}

var emptySnapshot = &domainSnapshot{blocks: map[string]*storage.InstanceDomainBlock{}, allows: map[string]bool{}}

// current returns a snapshot no older than TTL when it can: one caller
// reloads an expired snapshot while the others go on with the old one.
// When storage fails, the old snapshot is kept (retried after TTL); with
// none, nothing is blocked (and the failure logged).
func (d *Domains) current(ctx context.Context) *domainSnapshot {
	s := d.snap.Load()
	now := d.o.Now()
	if s != nil && now.Sub(s.at) < d.o.TTL {
		return s
	}
	if s != nil {
		if !d.loadMu.TryLock() {
			return s // someone is reloading: use the old one meanwhile
		}
	} else {
		d.loadMu.Lock()
	}
	defer d.loadMu.Unlock()
	if s2 := d.snap.Load(); s2 != nil && s2 != s {
		return s2 // loaded while we waited
	}
	if err := d.load(ctx); err != nil {
		d.log.Error("moderation: domain blocks unavailable", "err", err)
		if s == nil {
			return emptySnapshot
		}
		stale := *s
		stale.at = now
		d.snap.Store(&stale)
		return &stale
	}
	return d.snap.Load()
}

// matchHost calls fn with each name a host matches, most specific first,
// until fn returns true: the host as given (with its port, if any), then
// without the port, then each parent domain ("a.b.example" → "b.example" →
// "example"). It allocates only for a host with upper-case letters.
func matchHost(host string, fn func(name string) bool) bool {
	host = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
	if host == "" {
		return false
	}
	if fn(host) {
		return true
	}
	if h, _, err := net.SplitHostPort(host); err == nil && h != "" {
		host = strings.Trim(h, "[]")
		if fn(host) {
			return true
		}
	}
	if net.ParseIP(host) != nil {
		return false
	}
	for i := 0; i < len(host); i++ {
		if host[i] == '.' && i+1 < len(host) && fn(host[i+1:]) {
			return true
		}
	}
	return false
}

// Block returns the block applying to domain (its own or the closest
// parent's), or nil.
func (d *Domains) Block(ctx context.Context, domain string) *storage.InstanceDomainBlock {
	if d.isLocal(domain) {
		return nil
	}
	s := d.current(ctx)
	if len(s.blocks) == 0 {
		return nil
	}
	var found *storage.InstanceDomainBlock
	matchHost(domain, func(name string) bool {
		found = s.blocks[name]
		return found != nil
	})
	return found
}

func (d *Domains) isLocal(domain string) bool {
	return domain == "" || (d.o.LocalDomain != "" && strings.EqualFold(domain, d.o.LocalDomain))
}

// Allowed reports whether domain is on the allow-list (itself or a parent).
// Without allow-list federation, every domain is allowed.
func (d *Domains) Allowed(ctx context.Context, domain string) bool {
	if !d.o.AllowList || d.isLocal(domain) {
		return true
	}
	s := d.current(ctx)
	return matchHost(domain, func(name string) bool { return s.allows[name] })
}

// Suspended reports whether this server refuses to federate with domain:
// it is blocked with severity suspend, or allow-list federation is on and
// it is not allowed. The local domain and "" are never suspended.
func (d *Domains) Suspended(ctx context.Context, domain string) bool {
	if d.isLocal(domain) {
		return false
	}
	if !d.Allowed(ctx, domain) {
		return true
	}
	b := d.Block(ctx, domain)
	return b != nil && b.Severity == storage.SeveritySuspend
}

// Silenced reports whether domain is limited: blocked with severity
// silence (a suspended domain is not "silenced": it is gone).
func (d *Domains) Silenced(ctx context.Context, domain string) bool {
	b := d.Block(ctx, domain)
	return b != nil && b.Severity == storage.SeveritySilence
}

// RejectsMedia reports whether the media of domain's accounts are never
// fetched nor stored (reject_media, or suspended).
func (d *Domains) RejectsMedia(ctx context.Context, domain string) bool {
	if d.Suspended(ctx, domain) {
		return true
	}
	b := d.Block(ctx, domain)
	return b != nil && b.RejectMedia
}

// RejectsReports reports whether reports (Flag activities) from domain are
// ignored (reject_reports, or suspended).
func (d *Domains) RejectsReports(ctx context.Context, domain string) bool {
	if d.Suspended(ctx, domain) {
		return true
	}
	b := d.Block(ctx, domain)
	return b != nil && b.RejectReports
}

// HostBlocked implements federation.HostBlocker: a host is blocked when
// its domain is Suspended.
func (d *Domains) HostBlocked(ctx context.Context, host string) bool {
	return d.Suspended(ctx, host)
}

// ObfuscateDomain hides the middle of a domain as Mastodon does for
// obfuscated blocks: the first and last quarter of the characters and the
// dots stay, the rest becomes '*' ("example.com" → "exa****.*om").
func ObfuscateDomain(domain string) string {
	rs := []rune(domain)
	n := len(rs)
	keep := n / 4
	for i, r := range rs {
		if i > keep && i < n-keep && r != '.' {
			rs[i] = '*'
		}
	}
	return string(rs)
}

// DomainDigest is the hex SHA-256 of a domain, published with blocks so
// that others can check a domain against the list without reading it.
func DomainDigest(domain string) string {
	sum := sha256.Sum256([]byte(domain))
	return hex.EncodeToString(sum[:])
}
