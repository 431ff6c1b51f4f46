package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// EmailDomainBlocks implements storage.Store.
func (s *Store) EmailDomainBlocks() storage.EmailDomainBlocks { return emailDomainBlocks{s} }

// IPBlocks implements storage.Store.
func (s *Store) IPBlocks() storage.IPBlocks { return ipBlocks{s} }

// CanonicalEmailBlocks implements storage.Store.
func (s *Store) CanonicalEmailBlocks() storage.CanonicalEmailBlocks { return canonicalEmailBlocks{s} }

type emailDomainBlocks struct{ s *Store }

var edbCols = selectList(&storage.EmailDomainBlock{}, "")

func (r emailDomainBlocks) Create(ctx context.Context, b *storage.EmailDomainBlock) error {
	b.Domain = normDomain(b.Domain)
	if b.Domain == "" {
		return fmt.Errorf("email domain block: domain is required: %w", storage.ErrInvalid)
	}
	if b.ID == 0 {
		b.ID = r.s.NewID()
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = r.s.now()
	}
	b.CreatedAt = norm(b.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "email_domain_blocks", b), "create email domain block %s", b.Domain)
}

func (r emailDomainBlocks) Get(ctx context.Context, id storage.ID) (*storage.EmailDomainBlock, error) {
	var b storage.EmailDomainBlock
	if err := r.s.get(ctx, &b, "SELECT "+edbCols+" FROM email_domain_blocks WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get email domain block %s", id)
	}
	return &b, nil
}

func (r emailDomainBlocks) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM email_domain_blocks WHERE id = ?", id), "delete email domain block %s", id)
}

func (r emailDomainBlocks) List(ctx context.Context, p storage.Page) ([]*storage.EmailDomainBlock, error) {
	out, err := listPage[storage.EmailDomainBlock](ctx, r.s, "email_domain_blocks", nil, nil, "id", p)
	if out == nil {
		out = []*storage.EmailDomainBlock{}
	}
	return out, r.s.wrap(err, "list email domain blocks")
}

func (r emailDomainBlocks) Matching(ctx context.Context, domains []string) ([]*storage.EmailDomainBlock, error) {
	out := []*storage.EmailDomainBlock{}
	marks := make([]string, 0, len(domains))
	args := make([]any, 0, len(domains))
	for _, d := range domains {
		if d = normDomain(d); d != "" {
			marks = append(marks, "?")
			args = append(args, d)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	err := r.s.sel(ctx, &out, "SELECT "+edbCols+" FROM email_domain_blocks WHERE domain IN ("+strings.Join(marks, ", ")+") ORDER BY domain", args...)
	return out, r.s.wrap(err, "email domain blocks matching")
}

type ipBlocks struct{ s *Store }

var (
	ipbCols       = selectList(&storage.IPBlock{}, "")
	ipbUpdateCols = []string{"ip", "severity", "comment", "expires_at", "updated_at"}
)

func checkIPBlock(b *storage.IPBlock) error {
	ip, ok := storage.CanonicalIPPrefix(strings.TrimSpace(b.IP))
	if !ok {
		return fmt.Errorf("ip block: range %q: %w", b.IP, storage.ErrInvalid)
	}
	if !b.Severity.Valid() {
		return fmt.Errorf("ip block: severity %q: %w", b.Severity, storage.ErrInvalid)
	}
	b.IP = ip
	b.ExpiresAt = normp(b.ExpiresAt)
	return nil
}

func (r ipBlocks) Create(ctx context.Context, b *storage.IPBlock) error {
	if err := checkIPBlock(b); err != nil {
		return err
	}
	r.s.stampNew(&b.ID, &b.CreatedAt, &b.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "ip_blocks", b), "create ip block %s", b.IP)
}

func (r ipBlocks) Update(ctx context.Context, b *storage.IPBlock) error {
	if err := checkIPBlock(b); err != nil {
		return err
	}
	b.UpdatedAt = r.s.now()
	return r.s.wrap(r.s.update(ctx, "ip_blocks", "id", b, ipbUpdateCols), "update ip block %s", b.ID)
}

func (r ipBlocks) Get(ctx context.Context, id storage.ID) (*storage.IPBlock, error) {
	var b storage.IPBlock
	if err := r.s.get(ctx, &b, "SELECT "+ipbCols+" FROM ip_blocks WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get ip block %s", id)
	}
	return &b, nil
}

func (r ipBlocks) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM ip_blocks WHERE id = ?", id), "delete ip block %s", id)
}

func (r ipBlocks) List(ctx context.Context, p storage.Page) ([]*storage.IPBlock, error) {
	out, err := listPage[storage.IPBlock](ctx, r.s, "ip_blocks", nil, nil, "id", p)
	if out == nil {
		out = []*storage.IPBlock{}
	}
	return out, r.s.wrap(err, "list ip blocks")
}

func (r ipBlocks) All(ctx context.Context) ([]*storage.IPBlock, error) {
	out := []*storage.IPBlock{}
	err := r.s.sel(ctx, &out, "SELECT "+ipbCols+" FROM ip_blocks ORDER BY id")
	return out, r.s.wrap(err, "all ip blocks")
}

type canonicalEmailBlocks struct{ s *Store }

var cebCols = selectList(&storage.CanonicalEmailBlock{}, "")

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (r canonicalEmailBlocks) Create(ctx context.Context, b *storage.CanonicalEmailBlock) error {
	b.CanonicalEmailHash = strings.ToLower(strings.TrimSpace(b.CanonicalEmailHash))
	if !validHash(b.CanonicalEmailHash) {
		return fmt.Errorf("canonical email block: hash must be 64 hex digits: %w", storage.ErrInvalid)
	}
	if b.ID == 0 {
		b.ID = r.s.NewID()
	}
	if b.CreatedAt.IsZero() {
		b.CreatedAt = r.s.now()
	}
	b.CreatedAt = norm(b.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "canonical_email_blocks", b), "create canonical email block")
}

func (r canonicalEmailBlocks) Get(ctx context.Context, id storage.ID) (*storage.CanonicalEmailBlock, error) {
	var b storage.CanonicalEmailBlock
	if err := r.s.get(ctx, &b, "SELECT "+cebCols+" FROM canonical_email_blocks WHERE id = ?", id); err != nil {
		return nil, r.s.wrap(err, "get canonical email block %s", id)
	}
	return &b, nil
}

func (r canonicalEmailBlocks) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM canonical_email_blocks WHERE id = ?", id), "delete canonical email block %s", id)
}

func (r canonicalEmailBlocks) List(ctx context.Context, p storage.Page) ([]*storage.CanonicalEmailBlock, error) {
	out, err := listPage[storage.CanonicalEmailBlock](ctx, r.s, "canonical_email_blocks", nil, nil, "id", p)
	if out == nil {
		out = []*storage.CanonicalEmailBlock{}
	}
	return out, r.s.wrap(err, "list canonical email blocks")
}

func (r canonicalEmailBlocks) ByHash(ctx context.Context, hash string) ([]*storage.CanonicalEmailBlock, error) {
	out := []*storage.CanonicalEmailBlock{}
	err := r.s.sel(ctx, &out, "SELECT "+cebCols+" FROM canonical_email_blocks WHERE canonical_email_hash = ? ORDER BY id",
		strings.ToLower(strings.TrimSpace(hash)))
	return out, r.s.wrap(err, "canonical email blocks by hash")
}
