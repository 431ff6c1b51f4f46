package social

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// SearchAccounts finds accounts whose username, display name or domain
// contain q, leaving out suspended accounts and those the viewer blocks or
// is blocked by. Remote resolution (WebFinger) is federation's part.
func (s *Service) SearchAccounts(ctx context.Context, viewer *storage.Account, q string, limit, offset int) ([]*storage.Account, error) {
	q = strings.TrimPrefix(strings.TrimSpace(q), "@")
	if q == "" {
		return []*storage.Account{}, nil
	}
	limit, offset = clampSearch(limit, offset)
	// An exact handle (user@domain or user) finds that account first.
	user, domain, _ := strings.Cut(q, "@")
	if strings.EqualFold(domain, s.urls.Host()) {
		domain = ""
	}
	accts, err := s.store.Accounts().Search(ctx, user, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	if domain != "" {
		var keep []*storage.Account
		for _, a := range accts {
			if strings.Contains(strings.ToLower(a.Domain), strings.ToLower(domain)) {
				keep = append(keep, a)
			}
		}
		accts = keep
	}
	ids := make([]storage.ID, len(accts))
	for i, a := range accts {
		ids[i] = a.ID
	}
	rel, err := loadRelations(ctx, s.store, viewerID(viewer), ids)
	if err != nil {
		return nil, fmt.Errorf("search accounts: %w", err)
	}
	out := make([]*storage.Account, 0, len(accts))
	for _, a := range accts {
		if !rel.blocked(a.ID) {
			out = append(out, a)
		}
	}
	return out, nil
}

// SearchHashtags finds hashtags in use that start with q, the exact match
// first, then the most used.
func (s *Service) SearchHashtags(ctx context.Context, q string, limit, offset int) ([]storage.TagUse, error) {
	limit, offset = clampSearch(limit, offset)
	out, err := s.store.Queries().SearchTags(ctx, q, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search hashtags: %w", err)
	}
	return out, nil
}

// SearchStatuses is a plain substring search (no full-text index): it finds
// the viewer's own statuses and the public statuses of indexable accounts
// containing q, newest first, leaving out those the viewer may not see.
// Anonymous viewers get nothing, as on Mastodon.
func (s *Service) SearchStatuses(ctx context.Context, viewer *storage.Account, q string, accountID storage.ID, limit, offset int) ([]*storage.Status, error) {
	if viewer == nil || strings.TrimSpace(q) == "" {
		return []*storage.Status{}, nil
	}
	limit, offset = clampSearch(limit, offset)
	sts, err := s.store.Queries().SearchStatuses(ctx, storage.StatusSearch{Query: q, ViewerID: viewer.ID, AccountID: accountID}, limit, offset)
	if err != nil {
		return nil, fmt.Errorf("search statuses: %w", err)
	}
	return s.filter(ctx, s.store, viewer.ID, sts, true)
}

func clampSearch(limit, offset int) (int, int) {
	if limit <= 0 {
		limit = storage.DefaultLimit
	}
	if limit > storage.MaxLimit {
		limit = storage.MaxLimit
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}
