package mastoapi

import (
	"context"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// IPBlockCacheTTL is how long the API keeps the list of IP blocks in
// memory before rereading it for the no_access check every request goes
// through. An IP block changed through this API takes effect at once in
// this process; one changed elsewhere (another process on the same
// database, the command line) within this delay.
const IPBlockCacheTTL = 30 * time.Second

// AdminEmailDomainBlock is the Mastodon Admin::EmailDomainBlock entity.
type AdminEmailDomainBlock struct {
	ID        string                         `json:"id"`
	Domain    string                         `json:"domain"`
	CreatedAt Time                           `json:"created_at"`
	History   []AdminEmailDomainBlockHistory `json:"history"`
}

// AdminEmailDomainBlockHistory is one day of an email domain block's
// history: sign-up attempts stopped by it. Herd does not count them: the
// counts are always "0".
type AdminEmailDomainBlockHistory struct {
	Day      string `json:"day"` // UNIX time of midnight UTC
	Accounts string `json:"accounts"`
	Uses     string `json:"uses"`
}

// AdminIPBlock is the Mastodon Admin::IpBlock entity.
type AdminIPBlock struct {
	ID        string `json:"id"`
	IP        string `json:"ip"`
	Severity  string `json:"severity"`
	Comment   string `json:"comment"`
	CreatedAt Time   `json:"created_at"`
	ExpiresAt *Time  `json:"expires_at"`
}

// AdminCanonicalEmailBlock is the Mastodon Admin::CanonicalEmailBlock entity.
type AdminCanonicalEmailBlock struct {
	ID                 string `json:"id"`
	CanonicalEmailHash string `json:"canonical_email_hash"`
}

// EmailDomainBlockToAdminAPI converts an email domain block, with a week of
// (zero) history ending today (at now).
func EmailDomainBlockToAdminAPI(b *storage.EmailDomainBlock, now time.Time) *AdminEmailDomainBlock {
	day := now.UTC().Truncate(24 * time.Hour)
	h := make([]AdminEmailDomainBlockHistory, 7)
	for i := range h {
		h[i] = AdminEmailDomainBlockHistory{Day: strconv.FormatInt(day.AddDate(0, 0, -i).Unix(), 10), Accounts: "0", Uses: "0"}
	}
	return &AdminEmailDomainBlock{ID: b.ID.String(), Domain: b.Domain, CreatedAt: Time(b.CreatedAt), History: h}
}

// IPBlockToAdminAPI converts an IP block.
func IPBlockToAdminAPI(b *storage.IPBlock) *AdminIPBlock {
	return &AdminIPBlock{ID: b.ID.String(), IP: b.IP, Severity: string(b.Severity), Comment: b.Comment,
		CreatedAt: Time(b.CreatedAt), ExpiresAt: TimePtr(b.ExpiresAt)}
}

// CanonicalEmailBlockToAdminAPI converts a canonical email block.
func CanonicalEmailBlockToAdminAPI(b *storage.CanonicalEmailBlock) *AdminCanonicalEmailBlock {
	return &AdminCanonicalEmailBlock{ID: b.ID.String(), CanonicalEmailHash: b.CanonicalEmailHash}
}

// registerSignUpBlockRoutes declares the admin email domain, IP and
// canonical email block endpoints (admins only: Mastodon's manage_blocks).
func (a *API) registerSignUpBlockRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	admin := func(scopes ...string) RouteOptions {
		return RouteOptions{Auth: AuthUser, Scopes: scopes, MinRole: storage.RoleAdmin}
	}
	const (
		edbs = "/api/v1/admin/email_domain_blocks"
		ipbs = "/api/v1/admin/ip_blocks"
		cebs = "/api/v1/admin/canonical_email_blocks"
		id   = "/{id:[0-9]+}"
	)
	a.Handle(get, edbs, admin("admin:read:email_domain_blocks"), a.adminEmailDomainBlocks)
	a.Handle(post, edbs, admin("admin:write:email_domain_blocks"), a.adminCreateEmailDomainBlock)
	a.Handle(get, edbs+id, admin("admin:read:email_domain_blocks"), a.adminEmailDomainBlock)
	a.Handle(del, edbs+id, admin("admin:write:email_domain_blocks"), a.adminDeleteEmailDomainBlock)
	a.Handle(get, ipbs, admin("admin:read:ip_blocks"), a.adminIPBlocks)
	a.Handle(post, ipbs, admin("admin:write:ip_blocks"), a.adminCreateIPBlock)
	a.Handle(get, ipbs+id, admin("admin:read:ip_blocks"), a.adminIPBlock)
	a.Handle(put, ipbs+id, admin("admin:write:ip_blocks"), a.adminUpdateIPBlock)
	a.Handle(del, ipbs+id, admin("admin:write:ip_blocks"), a.adminDeleteIPBlock)
	a.Handle(get, cebs, admin("admin:read:canonical_email_blocks"), a.adminCanonicalEmailBlocks)
	a.Handle(post, cebs, admin("admin:write:canonical_email_blocks"), a.adminCreateCanonicalEmailBlock)
	a.Handle(post, cebs+"/test", admin("admin:read:canonical_email_blocks"), a.adminTestCanonicalEmailBlocks)
	a.Handle(get, cebs+id, admin("admin:read:canonical_email_blocks"), a.adminCanonicalEmailBlock)
	a.Handle(del, cebs+id, admin("admin:write:canonical_email_blocks"), a.adminDeleteCanonicalEmailBlock)
}

// ---- email domain blocks ----

func (a *API) edbToAPI(b *storage.EmailDomainBlock) *AdminEmailDomainBlock {
	return EmailDomainBlockToAdminAPI(b, a.now())
}

func (a *API) adminEmailDomainBlocks(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	bs, err := a.svc.EmailDomainBlocks(r.Context(), pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, bs, pg.Limit, a.edbToAPI, func(b *storage.EmailDomainBlock) storage.ID { return b.ID })
}

func (a *API) adminEmailDomainBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.EmailDomainBlock(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.edbToAPI(b))
	return nil
}

func (a *API) adminCreateEmailDomainBlock(w http.ResponseWriter, r *http.Request) error {
	b, err := a.svc.CreateEmailDomainBlock(r.Context(), AuthOf(r).Account, ParamsOf(r).String("domain"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.edbToAPI(b))
	return nil
}

func (a *API) adminDeleteEmailDomainBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteEmailDomainBlock(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	return emptyObject(w, r)
}

// ---- IP blocks ----

// ipBlockParams reads the fields of an IP block; absent ones stay nil. An
// empty or null expires_in clears the expiry.
func ipBlockParams(p *Params) (social.IPBlockParams, error) {
	var out social.IPBlockParams
	if s, ok := p.Lookup("ip"); ok {
		out.IP = &s
	}
	if s, ok := p.Lookup("severity"); ok {
		sev := storage.IPBlockSeverity(s)
		out.Severity = &sev
	}
	if s, ok := p.Lookup("comment"); ok {
		out.Comment = &s
	}
	if raw, present := p.root["expires_in"]; present {
		s, _ := scalar(raw)
		if s == "" {
			out.NoExpiry = true
		} else {
			n, err := p.Int("expires_in", 0)
			if err != nil {
				return out, err
			}
			if n > int64(100*365*24*time.Hour/time.Second) {
				return out, fieldError("expires_in", "is too long")
			}
			d := time.Duration(n) * time.Second
			out.ExpiresIn = &d
		}
	}
	return out, nil
}

func (a *API) adminIPBlocks(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	bs, err := a.svc.IPBlocks(r.Context(), pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, bs, pg.Limit, IPBlockToAdminAPI, func(b *storage.IPBlock) storage.ID { return b.ID })
}

func (a *API) adminIPBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.IPBlock(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, IPBlockToAdminAPI(b))
	return nil
}

func (a *API) adminCreateIPBlock(w http.ResponseWriter, r *http.Request) error {
	p, err := ipBlockParams(ParamsOf(r))
	if err != nil {
		return err
	}
	b, err := a.svc.CreateIPBlock(r.Context(), AuthOf(r).Account, p)
	if err != nil {
		return err
	}
	a.reloadIPBlocks(r.Context())
	WriteJSON(w, http.StatusOK, IPBlockToAdminAPI(b))
	return nil
}

func (a *API) adminUpdateIPBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := ipBlockParams(ParamsOf(r))
	if err != nil {
		return err
	}
	b, err := a.svc.UpdateIPBlock(r.Context(), AuthOf(r).Account, id, p)
	if err != nil {
		return err
	}
	a.reloadIPBlocks(r.Context())
	WriteJSON(w, http.StatusOK, IPBlockToAdminAPI(b))
	return nil
}

func (a *API) adminDeleteIPBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteIPBlock(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	a.reloadIPBlocks(r.Context())
	return emptyObject(w, r)
}

// ---- canonical email blocks ----

func (a *API) adminCanonicalEmailBlocks(w http.ResponseWriter, r *http.Request) error {
	pg, err := ParamsOf(r).Page(100, 200)
	if err != nil {
		return err
	}
	bs, err := a.svc.CanonicalEmailBlocks(r.Context(), pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, bs, pg.Limit, CanonicalEmailBlockToAdminAPI, func(b *storage.CanonicalEmailBlock) storage.ID { return b.ID })
}

func (a *API) adminCanonicalEmailBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := a.svc.CanonicalEmailBlock(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, CanonicalEmailBlockToAdminAPI(b))
	return nil
}

func (a *API) adminCreateCanonicalEmailBlock(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	b, err := a.svc.CreateCanonicalEmailBlock(r.Context(), AuthOf(r).Account, p.String("email"), p.String("canonical_email_hash"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, CanonicalEmailBlockToAdminAPI(b))
	return nil
}

func (a *API) adminDeleteCanonicalEmailBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := a.svc.DeleteCanonicalEmailBlock(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	return emptyObject(w, r)
}

func (a *API) adminTestCanonicalEmailBlocks(w http.ResponseWriter, r *http.Request) error {
	bs, err := a.svc.TestCanonicalEmailBlocks(r.Context(), AuthOf(r).Account, ParamsOf(r).String("email"))
	if err != nil {
		return err
	}
	return writeEach(w, bs, CanonicalEmailBlockToAdminAPI)
}

// ---- enforcement ----

// ipBlockCache holds the compiled IP blocks for the no_access check.
type ipBlockCache struct {
	snap    atomic.Pointer[ipSnapshot]
	loading atomic.Bool
	mu      sync.Mutex // serialises loads
}

type ipSnapshot struct {
	rules social.IPRules
	at    time.Time
}

// ipRules returns the IP blocks, reread after IPBlockCacheTTL. While one
// request rereads them, the others use the previous list; only the very
// first load is waited for. A failed load keeps the previous list (none at
// first: the check fails open) until the next TTL.
func (a *API) ipRules(ctx context.Context) social.IPRules {
	c := &a.ipBlocks
	s := c.snap.Load()
	if s != nil && a.now().Sub(s.at) < IPBlockCacheTTL {
		return s.rules
	}
	if s != nil {
		if !c.loading.CompareAndSwap(false, true) {
			return s.rules // another request is rereading
		}
		defer c.loading.Store(false)
	}
	return a.loadIPBlocks(ctx, s)
}

// loadIPBlocks reads the IP blocks into the cache unless another load
// replaced old meanwhile.
func (a *API) loadIPBlocks(ctx context.Context, old *ipSnapshot) social.IPRules {
	c := &a.ipBlocks
	c.mu.Lock()
	defer c.mu.Unlock()
	if cur := c.snap.Load(); cur != old && cur != nil {
		return cur.rules
	}
	return a.readIPBlocksLocked(ctx, old)
}

func (a *API) readIPBlocksLocked(ctx context.Context, old *ipSnapshot) social.IPRules {
	c := &a.ipBlocks
	bs, err := a.store.IPBlocks().All(ctx)
	next := &ipSnapshot{at: a.now()}
	if err != nil {
		a.log.Warn("mastoapi: load ip blocks", "err", err)
		if old != nil {
			next.rules = old.rules
		}
	} else {
		next.rules = social.CompileIPBlocks(bs)
	}
	c.snap.Store(next)
	return next.rules
}

// reloadIPBlocks rereads the IP blocks after a change through the API.
func (a *API) reloadIPBlocks(ctx context.Context) {
	c := &a.ipBlocks
	c.mu.Lock()
	defer c.mu.Unlock()
	a.readIPBlocksLocked(context.WithoutCancel(ctx), c.snap.Load())
}

// clientAddr parses the address a request comes from (Options.ClientIP,
// by default the host of RemoteAddr); the zero Addr when it does not parse.
func (a *API) clientAddr(r *http.Request) netip.Addr {
	addr, err := netip.ParseAddr(a.ip(r))
	if err != nil {
		return netip.Addr{}
	}
	return addr
}

// denyBlockedIPs answers 403 to every request from an address in a
// no_access IP block. Without a store (an API serving only routes that need
// none) there are no blocks.
func (a *API) denyBlockedIPs(next http.Handler) http.Handler {
	if a.store == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rules := a.ipRules(r.Context()); rules.Len() > 0 {
			if rules.Severity(a.clientAddr(r), a.now()) == storage.IPNoAccess {
				WriteJSON(w, http.StatusForbidden, errorBody{Error: ErrNotAllowed.Message})
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}
