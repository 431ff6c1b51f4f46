package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// DomainModeration is what the application core needs of the instance's
// domain moderation; moderation.Domains implements it.
type DomainModeration interface {
	// Silenced reports whether a domain is limited.
	Silenced(ctx context.Context, domain string) bool
	// Suspended reports whether this server refuses to federate with a
	// domain (suspended, or outside the allow-list).
	Suspended(ctx context.Context, domain string) bool
	// AllowList reports whether allow-list federation is on.
	AllowList() bool
	// Reload rereads the blocks and allows after a change.
	Reload(ctx context.Context) error
}

// Limited reports whether an account is limited (Mastodon's "silenced"):
// a moderator silenced it (SilencedAt), its domain is silenced (or
// suspended: hidden anyway), or Options.Limiter says so. A limited
// account's statuses reach only its followers: they stay off the public,
// local, federated and hashtag timelines, out of the home feeds of those
// who do not follow it, of the replies in threads and of search results for
// everyone else, and its notifications to accounts that do not follow it
// are hidden. Its profile and statuses stay reachable by direct link.
func (s *Service) Limited(ctx context.Context, a *storage.Account) bool {
	if a == nil {
		return false
	}
	if a.SilencedAt != nil || (s.opts.Limiter != nil && s.opts.Limiter.Limited(a)) {
		return true
	}
	if a.Domain == "" || s.opts.Domains == nil {
		return false
	}
	return s.opts.Domains.Silenced(ctx, a.Domain) || s.opts.Domains.Suspended(ctx, a.Domain)
}

// limitKeep wraps a timeline's keep function, also leaving out statuses
// (and boosts of statuses) by limited accounts: all of them on public
// timelines (home false), those by accounts the viewer does not follow on
// home (home true). It reads the authors from what keep loaded into pg.
func (s *Service) limitKeep(ctx context.Context, viewer storage.ID, home bool, pg *Page, keep func([]*storage.Status) ([]*storage.Status, error)) func([]*storage.Status) ([]*storage.Status, error) {
	return func(sts []*storage.Status) ([]*storage.Status, error) {
		kept, err := keep(sts)
		if err != nil || len(kept) == 0 {
			return kept, err
		}
		limited := map[storage.ID]bool{}
		check := func(id storage.ID) {
			if _, done := limited[id]; !done && id != viewer {
				limited[id] = s.Limited(ctx, pg.Accounts[id])
			}
		}
		authorsOf := func(st *storage.Status) []storage.ID {
			ids := []storage.ID{st.AccountID}
			if o := pg.Boosted[st.ReblogOfID]; st.ReblogOfID != 0 && o != nil {
				ids = append(ids, o.AccountID)
			}
			return ids
		}
		var want []storage.ID
		for _, st := range kept {
			for _, id := range authorsOf(st) {
				check(id)
				if limited[id] {
					want = append(want, id)
				}
			}
		}
		if len(want) == 0 {
			return kept, nil
		}
		following := map[storage.ID]bool{}
		if home && viewer != 0 {
			fs, err := s.store.Follows().States(ctx, viewer, uniqueIDs(want))
			if err != nil {
				return nil, fmt.Errorf("limited accounts: %w", err)
			}
			for id, f := range fs {
				following[id] = f.Following != nil
			}
		}
		out := kept[:0]
	next:
		for _, st := range kept {
			for _, id := range authorsOf(st) {
				if limited[id] && !following[id] {
					continue next
				}
			}
			out = append(out, st)
		}
		return out, nil
	}
}

// normInstanceDomain cleans a domain typed by a moderator: lower-case,
// without a scheme, path or trailing dot ("https://Evil.Example/" →
// "evil.example"). A port is kept.
func normInstanceDomain(d string) (string, error) {
	d = strings.ToLower(strings.TrimSpace(d))
	d = strings.TrimPrefix(strings.TrimPrefix(d, "https://"), "http://")
	d = strings.TrimSuffix(strings.TrimSuffix(d, "/"), ".")
	if d == "" || len(d) > 253 || strings.ContainsAny(d, " /@\t\r\n?#*") || strings.HasPrefix(d, ".") {
		return "", invalid("domain", "is not a valid domain name")
	}
	return d, nil
}

// DomainBlockParams are the fields of an instance domain block a moderator
// sets. Nil fields keep their value on update (and take the default on
// create: severity silence, everything else off).
type DomainBlockParams struct {
	Severity       *storage.DomainSeverity
	RejectMedia    *bool
	RejectReports  *bool
	PrivateComment *string
	PublicComment  *string
	Obfuscate      *bool
}

func (p DomainBlockParams) apply(b *storage.InstanceDomainBlock) error {
	if p.Severity != nil {
		if !p.Severity.Valid() {
			return invalid("severity", "must be noop, silence or suspend")
		}
		b.Severity = *p.Severity
	}
	set := func(dst *bool, v *bool) {
		if v != nil {
			*dst = *v
		}
	}
	set(&b.RejectMedia, p.RejectMedia)
	set(&b.RejectReports, p.RejectReports)
	set(&b.Obfuscate, p.Obfuscate)
	if p.PrivateComment != nil {
		b.PrivateComment = *p.PrivateComment
	}
	if p.PublicComment != nil {
		b.PublicComment = *p.PublicComment
	}
	return nil
}

// ErrDomainBlockExists is returned (wrapped, with ErrInvalid's status) when
// a domain is blocked twice; ExistingDomainBlock carries the block.
type ErrDomainBlockExists struct{ Existing *storage.InstanceDomainBlock }

func (e *ErrDomainBlockExists) Error() string {
	return "domain " + e.Existing.Domain + " is already blocked"
}

// Unwrap makes the error an ErrInvalid (422).
func (e *ErrDomainBlockExists) Unwrap() error { return ErrInvalid }

// CreateDomainBlock blocks a domain (and its subdomains) for the whole
// instance. With severity suspend, follows between local accounts and the
// domain's accounts are severed (see SeverDomain) and the affected local
// users notified. The caller checks that actor may moderate (the HTTP
// layer requires a moderator; the CLI runs as the operator, actor nil).
func (s *Service) CreateDomainBlock(ctx context.Context, actor *storage.Account, domain string, p DomainBlockParams) (*storage.InstanceDomainBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	if d == strings.ToLower(s.urls.Host()) {
		return nil, invalid("domain", "cannot be this server's domain")
	}
	b := &storage.InstanceDomainBlock{Domain: d, Severity: storage.SeveritySilence}
	if err := p.apply(b); err != nil {
		return nil, err
	}
	if err := s.store.InstanceDomainBlocks().Create(ctx, b); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			if old, gerr := s.store.InstanceDomainBlocks().GetByDomain(ctx, d); gerr == nil {
				return nil, &ErrDomainBlockExists{Existing: old}
			}
		}
		return nil, fmt.Errorf("block domain %s: %w", d, err)
	}
	if err := s.audit(ctx, s.store, actor, "domain_block.create", "domain_block", b.ID, modName(actor)+" blocked "+b.Domain+" ("+string(b.Severity)+")"); err != nil {
		return b, err
	}
	if err := s.domainChanged(ctx, b.Domain, b.Severity == storage.SeveritySuspend); err != nil {
		return b, err
	}
	return b, nil
}

// UpdateDomainBlock changes a block. Raising it to suspend severs follows
// as CreateDomainBlock does.
func (s *Service) UpdateDomainBlock(ctx context.Context, actor *storage.Account, id storage.ID, p DomainBlockParams) (*storage.InstanceDomainBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	b, err := s.store.InstanceDomainBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "domain block %s", id)
	}
	was := b.Severity
	if err := p.apply(b); err != nil {
		return nil, err
	}
	if err := s.store.InstanceDomainBlocks().Update(ctx, b); err != nil {
		return nil, notFound(err, "update domain block %s", id)
	}
	if err := s.audit(ctx, s.store, actor, "domain_block.update", "domain_block", b.ID, modName(actor)+" changed the block of "+b.Domain+" ("+string(b.Severity)+")"); err != nil {
		return b, err
	}
	if err := s.domainChanged(ctx, b.Domain, b.Severity == storage.SeveritySuspend && was != storage.SeveritySuspend); err != nil {
		return b, err
	}
	return b, nil
}

// DeleteDomainBlock lifts a block (severed follows are not restored).
func (s *Service) DeleteDomainBlock(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.InstanceDomainBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	b, err := s.store.InstanceDomainBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "domain block %s", id)
	}
	if err := s.store.InstanceDomainBlocks().Delete(ctx, id); err != nil {
		return nil, notFound(err, "delete domain block %s", id)
	}
	if err := s.audit(ctx, s.store, actor, "domain_block.delete", "domain_block", b.ID, modName(actor)+" unblocked "+b.Domain); err != nil {
		return b, err
	}
	return b, s.domainChanged(ctx, b.Domain, false)
}

// DomainBlockByDomain returns the block of exactly this domain.
func (s *Service) DomainBlockByDomain(ctx context.Context, domain string) (*storage.InstanceDomainBlock, error) {
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	b, err := s.store.InstanceDomainBlocks().GetByDomain(ctx, d)
	if err != nil {
		return nil, notFound(err, "domain block of %s", d)
	}
	return b, nil
}

// DomainBlock returns one instance domain block.
func (s *Service) DomainBlock(ctx context.Context, id storage.ID) (*storage.InstanceDomainBlock, error) {
	b, err := s.store.InstanceDomainBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "domain block %s", id)
	}
	return b, nil
}

// InstanceDomainBlocks pages through the instance's domain blocks (by ID).
func (s *Service) InstanceDomainBlocks(ctx context.Context, p storage.Page) ([]*storage.InstanceDomainBlock, error) {
	out, err := s.store.InstanceDomainBlocks().List(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("domain blocks: %w", err)
	}
	return out, nil
}

// AllDomainBlocks returns every instance domain block, by domain (for the
// public list of moderated servers).
func (s *Service) AllDomainBlocks(ctx context.Context) ([]*storage.InstanceDomainBlock, error) {
	out, err := s.store.InstanceDomainBlocks().All(ctx)
	if err != nil {
		return nil, fmt.Errorf("domain blocks: %w", err)
	}
	return out, nil
}

// CreateDomainAllow adds a domain to the allow-list (ErrDomainBlockExists'
// sibling: an existing allow is returned as is, Mastodon-style).
func (s *Service) CreateDomainAllow(ctx context.Context, actor *storage.Account, domain string) (*storage.DomainAllow, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	if old, err := s.store.DomainAllows().GetByDomain(ctx, d); err == nil {
		return old, nil
	}
	a := &storage.DomainAllow{Domain: d}
	if err := s.store.DomainAllows().Create(ctx, a); err != nil {
		return nil, fmt.Errorf("allow domain %s: %w", d, err)
	}
	if err := s.audit(ctx, s.store, actor, "domain_allow.create", "domain_allow", a.ID, modName(actor)+" allowed "+a.Domain); err != nil {
		return a, err
	}
	return a, s.domainChanged(ctx, d, false)
}

// DeleteDomainAllow removes a domain from the allow-list. In allow-list
// mode the domain is then cut off: its follows are severed.
func (s *Service) DeleteDomainAllow(ctx context.Context, actor *storage.Account, id storage.ID) (*storage.DomainAllow, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	a, err := s.store.DomainAllows().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "domain allow %s", id)
	}
	if err := s.store.DomainAllows().Delete(ctx, id); err != nil {
		return nil, notFound(err, "delete domain allow %s", id)
	}
	if err := s.audit(ctx, s.store, actor, "domain_allow.delete", "domain_allow", a.ID, modName(actor)+" disallowed "+a.Domain); err != nil {
		return a, err
	}
	sever := s.opts.Domains != nil && s.opts.Domains.AllowList()
	return a, s.domainChanged(ctx, a.Domain, sever)
}

// DomainAllow returns one domain allow.
func (s *Service) DomainAllow(ctx context.Context, id storage.ID) (*storage.DomainAllow, error) {
	a, err := s.store.DomainAllows().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "domain allow %s", id)
	}
	return a, nil
}

// DomainAllowByDomain returns the allow of exactly this domain.
func (s *Service) DomainAllowByDomain(ctx context.Context, domain string) (*storage.DomainAllow, error) {
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	a, err := s.store.DomainAllows().GetByDomain(ctx, d)
	if err != nil {
		return nil, notFound(err, "domain allow of %s", d)
	}
	return a, nil
}

// DomainAllows pages through the allow-list (by ID).
func (s *Service) DomainAllows(ctx context.Context, p storage.Page) ([]*storage.DomainAllow, error) {
	out, err := s.store.DomainAllows().List(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("domain allows: %w", err)
	}
	return out, nil
}

// domainChanged reloads the domain moderation view after a write and, with
// sever, severs the follows with domain.
func (s *Service) domainChanged(ctx context.Context, domain string, sever bool) error {
	if s.opts.Domains != nil {
		if err := s.opts.Domains.Reload(ctx); err != nil {
			return fmt.Errorf("reload domain blocks: %w", err)
		}
	}
	if sever {
		if _, err := s.SeverDomain(ctx, domain); err != nil {
			return err
		}
	}
	return nil
}

// severPage is how many follows SeverDomain reads at once.
const severPage = 200

// SeverDomain removes every follow and follow request between local
// accounts and the accounts of domain (and its subdomains), both ways,
// takes those accounts' statuses out of local home feeds, records a
// domain_block RelationshipSeveranceEvent with what each local account
// lost, and sends each of them a severed_relationships notification. It
// returns the event (nil when nothing was severed).
func (s *Service) SeverDomain(ctx context.Context, domain string) (*storage.RelationshipSeveranceEvent, error) {
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	var event *storage.RelationshipSeveranceEvent
	err = s.tx(ctx, func(tx storage.Store, ev *events) error {
		domains, err := tx.Severances().AccountDomains(ctx, d)
		if err != nil {
			return err
		}
		lost := map[storage.ID]*storage.AccountSeverance{}
		row := func(id storage.ID) *storage.AccountSeverance {
			r := lost[id]
			if r == nil {
				r = &storage.AccountSeverance{AccountID: id}
				lost[id] = r
			}
			return r
		}
		locals := map[storage.ID]bool{}
		isLocal := func(id storage.ID) (bool, error) {
			if l, ok := locals[id]; ok {
				return l, nil
			}
			a, err := tx.Accounts().Get(ctx, id)
			if err != nil {
				return false, ignoreNotFound(err)
			}
			locals[id] = a.Local()
			return a.Local(), nil
		}
		for _, dom := range domains {
			p := storage.Page{Limit: severPage}
			for {
				remotes, err := tx.Accounts().List(ctx, storage.AccountFilter{Origin: "remote", Domain: dom}, p)
				if err != nil {
					return fmt.Errorf("list accounts of %s: %w", dom, err)
				}
				for _, r := range remotes {
					if err := s.severAccount(ctx, tx, r, isLocal, row); err != nil {
						return err
					}
				}
				if len(remotes) < p.Limit {
					break
				}
				p.MaxID = remotes[len(remotes)-1].ID
			}
		}
		if len(lost) == 0 {
			return nil
		}
		event = &storage.RelationshipSeveranceEvent{Type: storage.SeveranceDomainBlock, TargetName: d, CreatedAt: s.now()}
		rows := make([]*storage.AccountSeverance, 0, len(lost))
		for _, r := range lost {
			rows = append(rows, r)
		}
		if err := tx.Severances().Create(ctx, event, rows); err != nil {
			return fmt.Errorf("record severance: %w", err)
		}
		extra, _ := json.Marshal(event.ID.String())
		for _, r := range rows {
			n := &storage.Notification{AccountID: r.AccountID, FromAccountID: r.AccountID, Type: storage.NotifySevered,
				Extra: storage.Extra{"event_id": extra}, CreatedAt: s.now()}
			if err := tx.Notifications().Create(ctx, n); err != nil {
				return fmt.Errorf("notify severance: %w", err)
			}
			target, err := tx.Accounts().Get(ctx, r.AccountID)
			if err != nil {
				return fmt.Errorf("notify severance: %w", err)
			}
			ev.add(Event{Type: EventNotificationCreated, Actor: target, Target: target, Notification: n})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sever %s: %w", d, err)
	}
	return event, nil
}

// severAccount cuts the follows and requests between remote account r and
// local accounts, counting what each local account lost.
func (s *Service) severAccount(ctx context.Context, tx storage.Store, r *storage.Account, isLocal func(storage.ID) (bool, error), row func(storage.ID) *storage.AccountSeverance) error {
	// Local accounts following r lose a "following"; r's statuses leave
	// their home feeds (deleteFollow does it).
	for {
		fs, err := tx.Follows().Followers(ctx, r.ID, storage.Page{Limit: severPage})
		if err != nil {
			return fmt.Errorf("followers of %s: %w", r.ID, err)
		}
		for _, f := range fs {
			local, err := isLocal(f.AccountID)
			if err != nil {
				return err
			}
			if err := deleteFollow(ctx, tx, f.AccountID, r.ID, local); err != nil {
				return err
			}
			if local {
				row(f.AccountID).FollowingCount++
			}
		}
		if len(fs) < severPage {
			break
		}
	}
	// r following local accounts: they lose a follower.
	for {
		fs, err := tx.Follows().Following(ctx, r.ID, storage.Page{Limit: severPage})
		if err != nil {
			return fmt.Errorf("following of %s: %w", r.ID, err)
		}
		for _, f := range fs {
			local, err := isLocal(f.TargetAccountID)
			if err != nil {
				return err
			}
			if err := deleteFollow(ctx, tx, r.ID, f.TargetAccountID, false); err != nil {
				return err
			}
			if local {
				row(f.TargetAccountID).FollowersCount++
			}
		}
		if len(fs) < severPage {
			break
		}
	}
	// Pending requests both ways go too (not counted: they were not follows).
	for {
		rs, err := tx.Follows().Requests(ctx, r.ID, storage.Page{Limit: severPage})
		if err != nil {
			return fmt.Errorf("requests to %s: %w", r.ID, err)
		}
		for _, q := range rs {
			if err := ignoreNotFound(tx.Follows().DeleteRequest(ctx, q.AccountID, r.ID)); err != nil {
				return fmt.Errorf("delete follow request: %w", err)
			}
		}
		if len(rs) < severPage {
			break
		}
	}
	return nil
}

// SeveredRelationships pages through what account lost in severance events
// (cursor: the row ID), newest first.
func (s *Service) SeveredRelationships(ctx context.Context, account *storage.Account, p storage.Page) ([]*storage.AccountSeverance, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	out, err := s.store.Severances().ForAccount(ctx, account.ID, p)
	if err != nil {
		return nil, fmt.Errorf("severed relationships: %w", err)
	}
	return out, nil
}

// SeveranceOf returns account's row of a severance event (for rendering
// a severed_relationships notification).
func (s *Service) SeveranceOf(ctx context.Context, account *storage.Account, eventID storage.ID) (*storage.AccountSeverance, error) {
	if account == nil {
		return nil, ErrForbidden
	}
	r, err := s.store.Severances().Get(ctx, account.ID, eventID)
	if err != nil {
		return nil, notFound(err, "severance %s", eventID)
	}
	return r, nil
}
