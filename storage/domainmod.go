package storage

import (
	"context"
	"time"
)

// DomainSeverity is what an instance-level domain block does, named as in
// the Mastodon admin API.
type DomainSeverity string

// Domain block severities, from the mildest.
const (
	// SeverityNoop records the domain (for reject_media / reject_reports)
	// without limiting it.
	SeverityNoop DomainSeverity = "noop"
	// SeveritySilence limits the domain's accounts: their statuses stay off
	// public timelines and the home feeds of non-followers.
	SeveritySilence DomainSeverity = "silence"
	// SeveritySuspend cuts the domain off: nothing is accepted from it,
	// delivered to it or fetched from it, and follows with it are severed.
	SeveritySuspend DomainSeverity = "suspend"
)

// Valid reports whether d is one of the three severities.
func (d DomainSeverity) Valid() bool {
	switch d {
	case SeverityNoop, SeveritySilence, SeveritySuspend:
		return true
	}
	return false
}

// Rank orders severities: noop 0, silence 1, suspend 2 (unknown: -1).
func (d DomainSeverity) Rank() int {
	switch d {
	case SeverityNoop:
		return 0
	case SeveritySilence:
		return 1
	case SeveritySuspend:
		return 2
	}
	return -1
}

// InstanceDomainBlock is a server-wide block of a remote domain (and of
// its subdomains), set by a moderator. It is distinct from DomainBlock, a
// user's own block of a domain.
type InstanceDomainBlock struct {
	ID             ID             `db:"id"`
	Domain         string         `db:"domain"` // lower-case, IDNA ASCII form
	Severity       DomainSeverity `db:"severity"`
	RejectMedia    bool           `db:"reject_media"`
	RejectReports  bool           `db:"reject_reports"`
	PrivateComment string         `db:"private_comment"`
	PublicComment  string         `db:"public_comment"`
	Obfuscate      bool           `db:"obfuscate"`
	CreatedAt      time.Time      `db:"created_at"`
	UpdatedAt      time.Time      `db:"updated_at"`
}

// DomainAllow is a domain explicitly allowed to federate: in allow-list
// mode, only allowed domains (and their subdomains) may.
type DomainAllow struct {
	ID        ID        `db:"id"`
	Domain    string    `db:"domain"` // lower-case
	CreatedAt time.Time `db:"created_at"`
}

// InstanceDomainBlocks stores instance-level domain blocks, one per domain
// (compared case-insensitively). Readers on the hot path (every inbound
// activity) should go through a cache such as moderation.Domains, which
// loads them with All.
type InstanceDomainBlocks interface {
	// Create inserts b (ErrConflict when the domain is already blocked,
	// ErrInvalid for an empty domain or unknown severity). It assigns b.ID
	// when zero and sets CreatedAt and UpdatedAt when zero.
	Create(ctx context.Context, b *InstanceDomainBlock) error
	// Update writes every field but the domain and CreatedAt, and sets
	// UpdatedAt.
	Update(ctx context.Context, b *InstanceDomainBlock) error
	Get(ctx context.Context, id ID) (*InstanceDomainBlock, error)
	// GetByDomain finds the block of exactly this domain (not a parent).
	GetByDomain(ctx context.Context, domain string) (*InstanceDomainBlock, error)
	Delete(ctx context.Context, id ID) error
	// List pages through the blocks by ID.
	List(ctx context.Context, p Page) ([]*InstanceDomainBlock, error)
	// All returns every block, ordered by domain.
	All(ctx context.Context) ([]*InstanceDomainBlock, error)
}

// DomainAllows stores allowed domains, one per domain.
type DomainAllows interface {
	// Create inserts a (ErrConflict when the domain is already allowed).
	Create(ctx context.Context, a *DomainAllow) error
	Get(ctx context.Context, id ID) (*DomainAllow, error)
	GetByDomain(ctx context.Context, domain string) (*DomainAllow, error)
	Delete(ctx context.Context, id ID) error
	// List pages through the allows by ID.
	List(ctx context.Context, p Page) ([]*DomainAllow, error)
	// All returns every allow, ordered by domain.
	All(ctx context.Context) ([]*DomainAllow, error)
}

// SeveranceType is why relationships were severed, named as in Mastodon's
// RelationshipSeveranceEvent entity.
type SeveranceType string

// Severance types.
const (
	SeveranceDomainBlock       SeveranceType = "domain_block"
	SeveranceUserDomainBlock   SeveranceType = "user_domain_block"
	SeveranceAccountSuspension SeveranceType = "account_suspension"
)

// Valid reports whether t is a known severance type.
func (t SeveranceType) Valid() bool {
	switch t {
	case SeveranceDomainBlock, SeveranceUserDomainBlock, SeveranceAccountSuspension:
		return true
	}
	return false
}

// RelationshipSeveranceEvent records that follows were cut by a moderation
// action: a domain suspension, a user's domain block, or an account
// suspension. TargetName is the domain or the account's handle.
type RelationshipSeveranceEvent struct {
	ID         ID            `db:"id"`
	Type       SeveranceType `db:"type"`
	Purged     bool          `db:"purged"` // the severed relationships' details were deleted
	TargetName string        `db:"target_name"`
	CreatedAt  time.Time     `db:"created_at"`
}

// AccountSeverance is what one local account lost in a severance event:
// how many of its followers and of the accounts it followed. The event's
// fields are filled in by the listing (read-only).
type AccountSeverance struct {
	ID             ID        `db:"id"`
	AccountID      ID        `db:"account_id"`
	EventID        ID        `db:"event_id"`
	FollowersCount int64     `db:"followers_count"`
	FollowingCount int64     `db:"following_count"`
	CreatedAt      time.Time `db:"created_at"`

	// Filled from the event by Get and ForAccount.
	Type       SeveranceType `db:"type"`
	Purged     bool          `db:"purged"`
	TargetName string        `db:"target_name"`
}

// Severances stores relationship severance events and what each local
// account lost in them.
type Severances interface {
	// Create inserts the event and the per-account rows (assigning IDs,
	// EventID and timestamps). Rows with nothing lost are skipped.
	Create(ctx context.Context, e *RelationshipSeveranceEvent, rows []*AccountSeverance) error
	GetEvent(ctx context.Context, id ID) (*RelationshipSeveranceEvent, error)
	// Get returns accountID's row of event eventID.
	Get(ctx context.Context, accountID, eventID ID) (*AccountSeverance, error)
	// ForAccount pages through accountID's rows (by row ID), newest first.
	ForAccount(ctx context.Context, accountID ID, p Page) ([]*AccountSeverance, error)
	// AccountDomains lists the distinct domains of stored remote accounts
	// that are domain or one of its subdomains, ordered: what a block of
	// domain reaches.
	AccountDomains(ctx context.Context, domain string) ([]string, error)
}
