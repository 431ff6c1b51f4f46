package social

import (
	"context"

	"github.com/herd-social/herd/storage"
)

// Limiter tells whether an account is limited for a reason other than its
// own SilencedAt — say, its domain is silenced. Limited is called for every
// author judged on a read path, so it must answer from memory (keep the
// silenced domains in a set refreshed on change); it must be safe for
// concurrent use.
type Limiter interface {
	Limited(a *storage.Account) bool
}

// LimiterFunc adapts a function to Limiter.
type LimiterFunc func(a *storage.Account) bool

// Limited implements Limiter.
func (f LimiterFunc) Limited(a *storage.Account) bool { return f(a) }

// dropLimited removes from sts (already judged visible) the statuses, and
// boosts of statuses, whose authors are limited and not followed by the
// viewer. set holds what filtering loaded.
func (s *Service) dropLimited(ctx context.Context, st storage.Store, set *statusSet, sts []*storage.Status) ([]*storage.Status, error) {
	viewer := set.rel.viewer
	var limited []storage.ID
	for id, a := range set.rel.accounts {
		if id != viewer && s.Limited(ctx, a) {
			limited = append(limited, id)
		}
	}
	if len(limited) == 0 {
		return sts, nil
	}
	if err := set.rel.loadFollowing(ctx, st, limited); err != nil {
		return nil, err
	}
	hidden := func(authorID storage.ID) bool {
		if authorID == viewer {
			return false
		}
		return s.Limited(ctx, set.rel.accounts[authorID]) && !set.rel.following[authorID]
	}
	out := sts[:0]
	for _, x := range sts {
		if hidden(x.AccountID) {
			continue
		}
		if x.ReblogOfID != 0 {
			if o := set.originals[x.ReblogOfID]; o != nil && hidden(o.AccountID) {
				continue
			}
		}
		out = append(out, x)
	}
	return out, nil
}
