package storage

import (
	"context"
	"net/netip"
	"time"
)

// EmailDomainBlock forbids sign-ups with an email address at a domain or
// at any of its subdomains (Mastodon's EmailDomainBlock).
type EmailDomainBlock struct {
	ID        ID        `db:"id"`
	Domain    string    `db:"domain"` // lower-case
	CreatedAt time.Time `db:"created_at"`
}

// EmailDomainBlocks stores email domain blocks, one per domain (compared
// case-insensitively).
type EmailDomainBlocks interface {
	// Create inserts b (ErrConflict when the domain is already blocked,
	// ErrInvalid for an empty domain). It assigns b.ID when zero and sets
	// CreatedAt when zero.
	Create(ctx context.Context, b *EmailDomainBlock) error
	Get(ctx context.Context, id ID) (*EmailDomainBlock, error)
	Delete(ctx context.Context, id ID) error
	// List pages through the blocks by ID.
	List(ctx context.Context, p Page) ([]*EmailDomainBlock, error)
	// Matching returns the blocks of any of domains (exact, case-insensitive
	// matches), ordered by domain: the caller passes an address's domain
	// and its parents.
	Matching(ctx context.Context, domains []string) ([]*EmailDomainBlock, error)
}

// IPBlockSeverity is what an IP block does, named as in Mastodon's
// Admin::IpBlock entity.
type IPBlockSeverity string

// IP block severities, from the mildest.
const (
	// IPSignUpRequiresApproval leaves sign-ups from the range pending
	// until a moderator approves them.
	IPSignUpRequiresApproval IPBlockSeverity = "sign_up_requires_approval"
	// IPSignUpBlock refuses sign-ups from the range.
	IPSignUpBlock IPBlockSeverity = "sign_up_block"
	// IPNoAccess refuses every request from the range.
	IPNoAccess IPBlockSeverity = "no_access"
)

// Valid reports whether s is one of the three severities.
func (s IPBlockSeverity) Valid() bool {
	switch s {
	case IPSignUpRequiresApproval, IPSignUpBlock, IPNoAccess:
		return true
	}
	return false
}

// IPBlock applies a severity to a range of addresses (CIDR), until
// ExpiresAt when set.
type IPBlock struct {
	ID ID `db:"id"`
	// IP is the range in canonical CIDR form ("192.0.2.0/24",
	// "2001:db8::/32"); a single address has a full-length prefix.
	IP        string          `db:"ip"`
	Severity  IPBlockSeverity `db:"severity"`
	Comment   string          `db:"comment"`
	ExpiresAt *time.Time      `db:"expires_at"`
	CreatedAt time.Time       `db:"created_at"`
	UpdatedAt time.Time       `db:"updated_at"`
}

// Prefix parses IP (ok false when it is malformed).
func (b *IPBlock) Prefix() (netip.Prefix, bool) {
	p, err := netip.ParsePrefix(b.IP)
	return p, err == nil
}

// Expired reports whether the block has expired at now.
func (b *IPBlock) Expired(now time.Time) bool {
	return b.ExpiresAt != nil && !b.ExpiresAt.After(now)
}

// CanonicalIPPrefix parses s, an address or a CIDR range, into the
// canonical form IPBlock.IP holds: masked, IPv4-mapped IPv6 addresses
// unmapped, a bare address as a full-length prefix.
func CanonicalIPPrefix(s string) (string, bool) {
	var p netip.Prefix
	if a, err := netip.ParseAddr(s); err == nil {
		a = a.Unmap().WithZone("")
		p = netip.PrefixFrom(a, a.BitLen())
	} else {
		q, err := netip.ParsePrefix(s)
		if err != nil {
			return "", false
		}
		a, bits := q.Addr(), q.Bits()
		if a.Is4In6() {
			if bits < 96 {
				return "", false
			}
			a, bits = a.Unmap(), bits-96
		}
		p = netip.PrefixFrom(a, bits)
	}
	return p.Masked().String(), true
}

// IPBlocks stores IP blocks, one per range.
type IPBlocks interface {
	// Create inserts b (ErrInvalid for a malformed range or an unknown
	// severity, ErrConflict when the range is already blocked). IP is
	// stored in canonical form; ID and timestamps are set when zero.
	Create(ctx context.Context, b *IPBlock) error
	// Update writes IP, Severity, Comment and ExpiresAt, and sets
	// UpdatedAt.
	Update(ctx context.Context, b *IPBlock) error
	Get(ctx context.Context, id ID) (*IPBlock, error)
	Delete(ctx context.Context, id ID) error
	// List pages through the blocks by ID.
	List(ctx context.Context, p Page) ([]*IPBlock, error)
	// All returns every block (expired ones too), ordered by ID.
	All(ctx context.Context) ([]*IPBlock, error)
}

// CanonicalEmailBlock forbids sign-ups with any address whose canonical
// form hashes to CanonicalEmailHash (hex SHA-256).
type CanonicalEmailBlock struct {
	ID                 ID        `db:"id"`
	CanonicalEmailHash string    `db:"canonical_email_hash"` // 64 lower-case hex digits
	CreatedAt          time.Time `db:"created_at"`
}

// CanonicalEmailBlocks stores canonical email blocks, one per hash.
type CanonicalEmailBlocks interface {
	// Create inserts b (ErrInvalid unless the hash is 64 hex digits,
	// ErrConflict when it is already blocked).
	Create(ctx context.Context, b *CanonicalEmailBlock) error
	Get(ctx context.Context, id ID) (*CanonicalEmailBlock, error)
	Delete(ctx context.Context, id ID) error
	// List pages through the blocks by ID.
	List(ctx context.Context, p Page) ([]*CanonicalEmailBlock, error)
	// ByHash returns the blocks of this hash (none or one).
	ByHash(ctx context.Context, hash string) ([]*CanonicalEmailBlock, error)
}
