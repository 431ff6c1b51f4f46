package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// InstanceDomainBlocks implements storage.Store.
func (s *Store) InstanceDomainBlocks() storage.InstanceDomainBlocks { return instanceDomainBlocks{s} }

// DomainAllows implements storage.Store.
func (s *Store) DomainAllows() storage.DomainAllows { return domainAllows{s} }

// Severances implements storage.Store.
func (s *Store) Severances() storage.Severances { return severances{s} }

func normDomain(d string) string { return strings.ToLower(strings.TrimSpace(d)) }

type instanceDomainBlocks struct{ s *Store }

var (
	idbCols       = selectList(&storage.InstanceDomainBlock{}, "")
	idbUpdateCols = []string{"severity", "reject_media", "reject_reports", "private_comment", "public_comment", "obfuscate", "updated_at"}
)

func checkInstanceDomainBlock(b *storage.InstanceDomainBlock) error {
	if b.Domain == "" {
		return fmt.Errorf("instance domain block: domain is required: %w", storage.ErrInvalid)
	}
	if !b.Severity.Valid() {
		return fmt.Errorf("instance domain block: severity %q: %w", b.Severity, storage.ErrInvalid)
	}
	return nil
}

func (r instanceDomainBlocks) Create(ctx context.Context, b *storage.InstanceDomainBlock) error {
	b.Domain = normDomain(b.Domain)
	if b.Severity == "" {
		b.Severity = storage.SeveritySilence
	}
	if err := checkInstanceDomainBlock(b); err != nil {
		return err
	}
	r.s.stampNew(&b.ID, &b.CreatedAt, &b.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "instance_domain_blocks", b), "create instance domain block %s", b.Domain)
}

func (r instanceDomainBlocks) Update(ctx context.Context, b *storage.InstanceDomainBlock) error {
	if !b.Severity.Valid() {
		return fmt.Errorf("instance domain block: severity %q: %w", b.Severity, storage.ErrInvalid)
	}
	b.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "instance_domain_blocks", "id", b, idbUpdateCols), "update instance domain block %s", b.ID)
}

func (r instanceDomainBlocks) Get(ctx context.Context, id storage.ID) (*storage.InstanceDomainBlock, error) {
	var b storage.InstanceDomainBlock
	if err := r.s.get(ctx, &b, "SELECT "+idbCols+" FROM instance_domain_blocks WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get instance domain block %s", id)
	}
	return &b, nil
}

func (r instanceDomainBlocks) GetByDomain(ctx context.Context, domain string) (*storage.InstanceDomainBlock, error) {
	var b storage.InstanceDomainBlock
	if err := r.s.get(ctx, &b, "SELECT "+idbCols+" FROM instance_domain_blocks WHERE domain = ?", normDomain(domain)); err != nil {
		return nil, r.s.wrap(err, "get instance domain block of %s", domain)
	}
	return &b, nil
}

func (r instanceDomainBlocks) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM instance_domain_blocks WHERE id = ?", id), "delete instance domain block %s", id)
}

func (r instanceDomainBlocks) List(ctx context.Context, p storage.Page) ([]*storage.InstanceDomainBlock, error) {
	out, err := listPage[storage.InstanceDomainBlock](ctx, r.s, "instance_domain_blocks", nil, nil, "id", p)
	if out == nil {
		out = []*storage.InstanceDomainBlock{}
	}
	return out, r.s.wrap(err, "list instance domain blocks")
}

func (r instanceDomainBlocks) All(ctx context.Context) ([]*storage.InstanceDomainBlock, error) {
	out := []*storage.InstanceDomainBlock{}
	err := r.s.sel(ctx, &out, "SELECT "+idbCols+" FROM instance_domain_blocks ORDER BY domain")
	return out, r.s.wrap(err, "all instance domain blocks")
}

type domainAllows struct{ s *Store }

var allowCols = selectList(&storage.DomainAllow{}, "")

func (r domainAllows) Create(ctx context.Context, a *storage.DomainAllow) error {
	a.Domain = normDomain(a.Domain)
	if a.Domain == "" {
		return fmt.Errorf("domain allow: domain is required: %w", storage.ErrInvalid)
	}
	if a.ID == 0 {
		a.ID = r.s.NewID()
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = r.s.now()
	}
	a.CreatedAt = norm(a.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "domain_allows", a), "create domain allow %s", a.Domain)
}

func (r domainAllows) Get(ctx context.Context, id storage.ID) (*storage.DomainAllow, error) {
	var a storage.DomainAllow
	if err := r.s.get(ctx, &a, "SELECT "+allowCols+" FROM domain_allows WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get domain allow %s", id)
	}
	return &a, nil
}

func (r domainAllows) GetByDomain(ctx context.Context, domain string) (*storage.DomainAllow, error) {
	var a storage.DomainAllow
	if err := r.s.get(ctx, &a, "SELECT "+allowCols+" FROM domain_allows WHERE domain = ?", normDomain(domain)); err != nil {
		return nil, r.s.wrap(err, "get domain allow of %s", domain)
	}
	return &a, nil
}

func (r domainAllows) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM domain_allows WHERE id = ?", id), "delete domain allow %s", id)
}

func (r domainAllows) List(ctx context.Context, p storage.Page) ([]*storage.DomainAllow, error) {
	out, err := listPage[storage.DomainAllow](ctx, r.s, "domain_allows", nil, nil, "id", p)
	if out == nil {
		out = []*storage.DomainAllow{}
	}
	return out, r.s.wrap(err, "list domain allows")
}

func (r domainAllows) All(ctx context.Context) ([]*storage.DomainAllow, error) {
	out := []*storage.DomainAllow{}
	err := r.s.sel(ctx, &out, "SELECT "+allowCols+" FROM domain_allows ORDER BY domain")
	return out, r.s.wrap(err, "all domain allows")
}

type severances struct{ s *Store }

var (
	eventCols = selectList(&storage.RelationshipSeveranceEvent{}, "")
	// severanceSelect reads account_severances joined with their event.
	severanceSelect = `SELECT s.id, s.account_id, s.event_id, s.followers_count, s.following_count, s.created_at,
		e.type, e.purged, e.target_name
		FROM account_severances s JOIN relationship_severance_events e ON e.id = s.event_id`
)

func (r severances) Create(ctx context.Context, e *storage.RelationshipSeveranceEvent, rows []*storage.AccountSeverance) error {
	if !e.Type.Valid() || e.TargetName == "" {
		return fmt.Errorf("severance event: type %q and target name are required: %w", e.Type, storage.ErrInvalid)
	}
	return r.s.Tx(ctx, func(tx storage.Store) error {
		ts := tx.(*Store)
		if e.ID == 0 {
			e.ID = ts.NewID()
		}
		if e.CreatedAt.IsZero() {
			e.CreatedAt = ts.now()
		}
		e.CreatedAt = norm(e.CreatedAt)
		if err := ts.insert(ctx, "relationship_severance_events", e); err != nil {
			return ts.wrap(err, "create severance event %s", e.TargetName)
		}
		for _, row := range rows {
			if row.AccountID == 0 {
				return fmt.Errorf("account severance: account is required: %w", storage.ErrInvalid)
			}
			if row.FollowersCount == 0 && row.FollowingCount == 0 {
				continue
			}
			if row.ID == 0 {
				row.ID = ts.NewID()
			}
			row.EventID, row.CreatedAt = e.ID, e.CreatedAt
			row.Type, row.Purged, row.TargetName = e.Type, e.Purged, e.TargetName
			_, err := ts.exec(ctx, `INSERT INTO account_severances (id, account_id, event_id, followers_count, following_count, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, row.ID, row.AccountID, row.EventID, row.FollowersCount, row.FollowingCount, row.CreatedAt)
			if err != nil {
				return ts.wrap(err, "create account severance of %s", row.AccountID)
			}
		}
		return nil
	})
}

func (r severances) GetEvent(ctx context.Context, id storage.ID) (*storage.RelationshipSeveranceEvent, error) {
	var e storage.RelationshipSeveranceEvent
	if err := r.s.get(ctx, &e, "SELECT "+eventCols+" FROM relationship_severance_events WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get severance event %s", id)
	}
	return &e, nil
}

func (r severances) Get(ctx context.Context, accountID, eventID storage.ID) (*storage.AccountSeverance, error) {
	var a storage.AccountSeverance
	if err := r.s.get(ctx, &a, severanceSelect+" WHERE s.account_id = ? AND s.event_id = ?", accountID, eventID); err != nil {
		return nil, r.s.wrap(err, "get severance %s of %s", eventID, accountID)
	}
	return &a, nil
}

func (r severances) ForAccount(ctx context.Context, accountID storage.ID, p storage.Page) ([]*storage.AccountSeverance, error) {
	where, args, suffix := pageClause([]string{"s.account_id = ?"}, []any{accountID}, "s.id", p)
	out := []*storage.AccountSeverance{}
	if err := r.s.sel(ctx, &out, severanceSelect+whereSQL(where)+suffix, args...); err != nil {
		return nil, r.s.wrap(err, "severances of %s", accountID)
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}

func (r severances) AccountDomains(ctx context.Context, domain string) ([]string, error) {
	d := normDomain(domain)
	out := []string{}
	if d == "" {
		return out, nil
	}
	err := r.s.sel(ctx, &out, `SELECT DISTINCT domain FROM accounts WHERE domain = ? OR domain LIKE ? ESCAPE '\' ORDER BY domain`,
		d, "%."+likeEscape(d))
	return out, r.s.wrap(err, "account domains under %s", d)
}
