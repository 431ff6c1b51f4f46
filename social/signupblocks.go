package social

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/herd-social/herd/storage"
)

// Sign-up protections: email domain blocks, canonical email blocks and IP
// blocks, managed by admins (Mastodon reserves them to its manage_blocks
// permission) and enforced by CheckSignUp.

// ErrSignUpIPBlocked is returned (wrapping ErrForbidden) by CheckSignUp for
// an address in a sign_up_block or no_access range.
var ErrSignUpIPBlocked = fmt.Errorf("sign-ups from this address are blocked: %w", ErrForbidden)

// blockedEmailMessage is Mastodon's wording for a refused address (its
// :blocked error on email, ERR_BLOCKED).
const blockedEmailMessage = "uses a disallowed e-mail provider"

// CanonicalEmail returns the canonical form of an email address as Mastodon
// computes it for canonical email blocks, whatever the domain: lower-cased,
// dots removed from the local part and anything from the first "+" on
// dropped ("J.Doe+news@Example.com" → "jdoe@example.com").
func CanonicalEmail(email string) string {
	local, domain, _ := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	local = strings.ReplaceAll(local, ".", "")
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

// CanonicalEmailHash is the hex SHA-256 of CanonicalEmail(email).
func CanonicalEmailHash(email string) string {
	sum := sha256.Sum256([]byte(CanonicalEmail(email)))
	return hex.EncodeToString(sum[:])
}

// emailDomains returns the domain of email and its parents, the domain
// first ("a.b.example" → a.b.example, b.example, example); nil when there
// is no domain. At most 64 labels are considered.
func emailDomains(email string) []string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return nil
	}
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	if d == "" {
		return nil
	}
	var out []string
	for len(out) < 64 && d != "" {
		out = append(out, d)
		_, rest, ok := strings.Cut(d, ".")
		if !ok {
			break
		}
		d = rest
	}
	return out
}

// IPRules is a compiled set of IP blocks, for matching addresses without
// touching the store. The zero value matches nothing.
type IPRules struct {
	rules []ipRule
}

type ipRule struct {
	prefix   netip.Prefix
	severity storage.IPBlockSeverity
	expires  time.Time // zero: never
}

// CompileIPBlocks compiles blocks into IPRules; malformed ranges are
// skipped.
func CompileIPBlocks(blocks []*storage.IPBlock) IPRules {
	var r IPRules
	for _, b := range blocks {
		p, ok := b.Prefix()
		if !ok || !b.Severity.Valid() {
			continue
		}
		rule := ipRule{prefix: p, severity: b.Severity}
		if b.ExpiresAt != nil {
			rule.expires = *b.ExpiresAt
		}
		r.rules = append(r.rules, rule)
	}
	return r
}

// Len is the number of rules.
func (r IPRules) Len() int { return len(r.rules) }

// severityRank orders IP block severities (unknown: -1).
func severityRank(s storage.IPBlockSeverity) int {
	switch s {
	case storage.IPSignUpRequiresApproval:
		return 0
	case storage.IPSignUpBlock:
		return 1
	case storage.IPNoAccess:
		return 2
	}
	return -1
}

// Severity returns the strongest severity of the unexpired rules (at now)
// whose range holds addr ("" when none does). IPv4-mapped IPv6 addresses
// match IPv4 ranges.
func (r IPRules) Severity(addr netip.Addr, now time.Time) storage.IPBlockSeverity {
	if !addr.IsValid() || len(r.rules) == 0 {
		return ""
	}
	addr = addr.Unmap().WithZone("")
	var best storage.IPBlockSeverity
	for _, rule := range r.rules {
		if !rule.expires.IsZero() && !rule.expires.After(now) {
			continue
		}
		if rule.prefix.Contains(addr) && severityRank(rule.severity) > severityRank(best) {
			best = rule.severity
		}
	}
	return best
}

// CheckSignUp applies the sign-up protections to an attempt with email from
// ip (the zero Addr when unknown): ErrSignUpIPBlocked for an address in a
// sign_up_block or no_access range, a *ValidationError on "email" (Mastodon's
// "uses a disallowed e-mail provider") when the address's domain or one of
// its parents is blocked or its canonical hash is. approval reports that the
// address is in a sign_up_requires_approval range: the account must wait
// for a moderator.
func CheckSignUp(ctx context.Context, st storage.Store, email string, ip netip.Addr, now time.Time) (approval bool, err error) {
	if ip.IsValid() {
		blocks, err := st.IPBlocks().All(ctx)
		if err != nil {
			return false, fmt.Errorf("sign-up: ip blocks: %w", err)
		}
		switch CompileIPBlocks(blocks).Severity(ip, now) {
		case storage.IPSignUpBlock, storage.IPNoAccess:
			return false, ErrSignUpIPBlocked
		case storage.IPSignUpRequiresApproval:
			approval = true
		}
	}
	if ds := emailDomains(email); len(ds) > 0 {
		m, err := st.EmailDomainBlocks().Matching(ctx, ds)
		if err != nil {
			return false, fmt.Errorf("sign-up: email domain blocks: %w", err)
		}
		if len(m) > 0 {
			return false, invalid("email", blockedEmailMessage)
		}
	}
	if strings.Contains(email, "@") {
		m, err := st.CanonicalEmailBlocks().ByHash(ctx, CanonicalEmailHash(email))
		if err != nil {
			return false, fmt.Errorf("sign-up: canonical email blocks: %w", err)
		}
		if len(m) > 0 {
			return false, invalid("email", blockedEmailMessage)
		}
	}
	return approval, nil
}

// taken turns a storage conflict into Mastodon's "has already been taken".
func taken(err error, field, format string, args ...any) error {
	if errors.Is(err, storage.ErrConflict) {
		return invalid(field, "has already been taken")
	}
	if errors.Is(err, storage.ErrInvalid) {
		return invalid(field, "is invalid")
	}
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), err)
}

// ---- email domain blocks ----

// EmailDomainBlocks pages through the email domain blocks.
func (s *Service) EmailDomainBlocks(ctx context.Context, p storage.Page) ([]*storage.EmailDomainBlock, error) {
	out, err := s.store.EmailDomainBlocks().List(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("email domain blocks: %w", err)
	}
	return out, nil
}

// EmailDomainBlock returns one email domain block.
func (s *Service) EmailDomainBlock(ctx context.Context, id storage.ID) (*storage.EmailDomainBlock, error) {
	b, err := s.store.EmailDomainBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "email domain block %s", id)
	}
	return b, nil
}

// CreateEmailDomainBlock refuses sign-ups with addresses at domain and its
// subdomains. A domain already blocked is a *ValidationError ("has already
// been taken"), as in Mastodon.
func (s *Service) CreateEmailDomainBlock(ctx context.Context, actor Moderator, domain string) (*storage.EmailDomainBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	if strings.TrimSpace(domain) == "" {
		return nil, invalid("domain", "can't be blank")
	}
	d, err := normInstanceDomain(domain)
	if err != nil {
		return nil, err
	}
	b := &storage.EmailDomainBlock{Domain: d}
	err = s.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.EmailDomainBlocks().Create(ctx, b); err != nil {
			return taken(err, "domain", "block email domain %s", d)
		}
		return s.audit(ctx, tx, actor, "email_domain_block.create", "email_domain_block", b.ID, modName(actor)+" blocked e-mail domain "+d)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// DeleteEmailDomainBlock lifts an email domain block.
func (s *Service) DeleteEmailDomainBlock(ctx context.Context, actor Moderator, id storage.ID) (*storage.EmailDomainBlock, error) {
	return deleteAudited(ctx, s, actor, id, "email domain block", "email_domain_block",
		func(tx storage.Store) (*storage.EmailDomainBlock, error) { return tx.EmailDomainBlocks().Get(ctx, id) },
		func(tx storage.Store) error { return tx.EmailDomainBlocks().Delete(ctx, id) },
		func(b *storage.EmailDomainBlock) string { return " unblocked e-mail domain " + b.Domain })
}

// ---- IP blocks ----

// IPBlockParams are the fields of an IP block an admin sets. Nil fields
// keep their value on update; on create, IP and Severity are required.
type IPBlockParams struct {
	IP       *string
	Severity *storage.IPBlockSeverity
	Comment  *string
	// ExpiresIn sets the expiry that long from now (at least a second);
	// NoExpiry clears it.
	ExpiresIn *time.Duration
	NoExpiry  bool
}

func (p IPBlockParams) apply(b *storage.IPBlock, now time.Time) error {
	if p.IP != nil {
		ip, ok := storage.CanonicalIPPrefix(strings.TrimSpace(*p.IP))
		if !ok {
			return invalid("ip", "is invalid")
		}
		b.IP = ip
	}
	if p.Severity != nil {
		if !p.Severity.Valid() {
			return invalid("severity", "must be sign_up_requires_approval, sign_up_block or no_access")
		}
		b.Severity = *p.Severity
	}
	if p.Comment != nil {
		if len([]rune(*p.Comment)) > 1000 {
			return invalid("comment", "is too long (maximum is 1000 characters)")
		}
		b.Comment = *p.Comment
	}
	switch {
	case p.NoExpiry:
		b.ExpiresAt = nil
	case p.ExpiresIn != nil:
		if *p.ExpiresIn < time.Second {
			return invalid("expires_in", "must be at least one second")
		}
		t := now.Add(*p.ExpiresIn)
		b.ExpiresAt = &t
	}
	return nil
}

// IPBlocks pages through the IP blocks.
func (s *Service) IPBlocks(ctx context.Context, p storage.Page) ([]*storage.IPBlock, error) {
	out, err := s.store.IPBlocks().List(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("ip blocks: %w", err)
	}
	return out, nil
}

// IPBlock returns one IP block.
func (s *Service) IPBlock(ctx context.Context, id storage.ID) (*storage.IPBlock, error) {
	b, err := s.store.IPBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "ip block %s", id)
	}
	return b, nil
}

// CreateIPBlock blocks a range of addresses (an address or CIDR range).
func (s *Service) CreateIPBlock(ctx context.Context, actor Moderator, p IPBlockParams) (*storage.IPBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	if p.IP == nil || strings.TrimSpace(*p.IP) == "" {
		return nil, invalid("ip", "can't be blank")
	}
	if p.Severity == nil || *p.Severity == "" {
		return nil, invalid("severity", "can't be blank")
	}
	b := &storage.IPBlock{}
	if err := p.apply(b, s.now()); err != nil {
		return nil, err
	}
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.IPBlocks().Create(ctx, b); err != nil {
			return taken(err, "ip", "block ip %s", b.IP)
		}
		return s.audit(ctx, tx, actor, "ip_block.create", "ip_block", b.ID, modName(actor)+" blocked "+b.IP+" ("+string(b.Severity)+")")
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// UpdateIPBlock changes an IP block.
func (s *Service) UpdateIPBlock(ctx context.Context, actor Moderator, id storage.ID, p IPBlockParams) (*storage.IPBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	var b *storage.IPBlock
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		var err error
		if b, err = tx.IPBlocks().Get(ctx, id); err != nil {
			return notFound(err, "ip block %s", id)
		}
		if err := p.apply(b, s.now()); err != nil {
			return err
		}
		if err := tx.IPBlocks().Update(ctx, b); err != nil {
			return taken(err, "ip", "update ip block %s", id)
		}
		return s.audit(ctx, tx, actor, "ip_block.update", "ip_block", id, modName(actor)+" changed the block of "+b.IP+" ("+string(b.Severity)+")")
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// DeleteIPBlock lifts an IP block.
func (s *Service) DeleteIPBlock(ctx context.Context, actor Moderator, id storage.ID) (*storage.IPBlock, error) {
	return deleteAudited(ctx, s, actor, id, "ip block", "ip_block",
		func(tx storage.Store) (*storage.IPBlock, error) { return tx.IPBlocks().Get(ctx, id) },
		func(tx storage.Store) error { return tx.IPBlocks().Delete(ctx, id) },
		func(b *storage.IPBlock) string { return " unblocked " + b.IP })
}

// ---- canonical email blocks ----

// CanonicalEmailBlocks pages through the canonical email blocks.
func (s *Service) CanonicalEmailBlocks(ctx context.Context, p storage.Page) ([]*storage.CanonicalEmailBlock, error) {
	out, err := s.store.CanonicalEmailBlocks().List(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("canonical email blocks: %w", err)
	}
	return out, nil
}

// CanonicalEmailBlock returns one canonical email block.
func (s *Service) CanonicalEmailBlock(ctx context.Context, id storage.ID) (*storage.CanonicalEmailBlock, error) {
	b, err := s.store.CanonicalEmailBlocks().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "canonical email block %s", id)
	}
	return b, nil
}

// CreateCanonicalEmailBlock blocks the canonical form of email or, when
// email is empty, the given hash (hex SHA-256).
func (s *Service) CreateCanonicalEmailBlock(ctx context.Context, actor Moderator, email, hash string) (*storage.CanonicalEmailBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	b := &storage.CanonicalEmailBlock{CanonicalEmailHash: strings.ToLower(strings.TrimSpace(hash))}
	if email = strings.TrimSpace(email); email != "" {
		b.CanonicalEmailHash = CanonicalEmailHash(email)
	}
	if b.CanonicalEmailHash == "" {
		return nil, invalid("canonical_email_hash", "can't be blank")
	}
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		if err := tx.CanonicalEmailBlocks().Create(ctx, b); err != nil {
			return taken(err, "canonical_email_hash", "block canonical email")
		}
		return s.audit(ctx, tx, actor, "canonical_email_block.create", "canonical_email_block", b.ID, modName(actor)+" blocked e-mail hash "+b.CanonicalEmailHash)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// DeleteCanonicalEmailBlock lifts a canonical email block.
func (s *Service) DeleteCanonicalEmailBlock(ctx context.Context, actor Moderator, id storage.ID) (*storage.CanonicalEmailBlock, error) {
	return deleteAudited(ctx, s, actor, id, "canonical email block", "canonical_email_block",
		func(tx storage.Store) (*storage.CanonicalEmailBlock, error) {
			return tx.CanonicalEmailBlocks().Get(ctx, id)
		},
		func(tx storage.Store) error { return tx.CanonicalEmailBlocks().Delete(ctx, id) },
		func(b *storage.CanonicalEmailBlock) string { return " unblocked e-mail hash " + b.CanonicalEmailHash })
}

// TestCanonicalEmailBlocks returns the canonical email blocks that match
// email (Mastodon's canonical_email_blocks/test).
func (s *Service) TestCanonicalEmailBlocks(ctx context.Context, actor Moderator, email string) ([]*storage.CanonicalEmailBlock, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	if strings.TrimSpace(email) == "" {
		return nil, invalid("email", "can't be blank")
	}
	out, err := s.store.CanonicalEmailBlocks().ByHash(ctx, CanonicalEmailHash(email))
	if err != nil {
		return nil, fmt.Errorf("test canonical email blocks: %w", err)
	}
	return out, nil
}

// deleteAudited deletes one admin-only record (what, e.g. "ip block")
// read through get and removed through del in one transaction, with an
// audit entry "<kind>.delete" whose summary ends with describe's text; it
// returns the record deleted.
func deleteAudited[T any](ctx context.Context, s *Service, actor Moderator, id storage.ID, what, kind string,
	get func(storage.Store) (*T, error), del func(storage.Store) error, describe func(*T) string) (*T, error) {
	if err := checkAdmin(ctx, s.store, actor); err != nil {
		return nil, err
	}
	var rec *T
	err := s.store.Tx(ctx, func(tx storage.Store) error {
		var err error
		if rec, err = get(tx); err != nil {
			return notFound(err, "%s %s", what, id)
		}
		if err := del(tx); err != nil {
			return notFound(err, "delete %s %s", what, id)
		}
		return s.audit(ctx, tx, actor, kind+".delete", kind, id, modName(actor)+describe(rec))
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}
