package federation

import (
	"context"
	"errors"
	"sync/atomic"
)

// DefaultFetchBudget is the number of remote fetches one inbound activity
// may trigger (the inbox's default).
const DefaultFetchBudget = 20

// ErrFetchBudgetExhausted is returned (wrapped) by the Resolver when the
// fetch budget carried by the context is spent.
var ErrFetchBudgetExhausted = errors.New("federation: fetch budget exhausted")

type budgetKey struct{}

type fetchBudget struct{ left atomic.Int64 }

// WithFetchBudget returns a context that allows at most n remote fetches by
// the Resolver (cache hits are free) across everything that uses it, e.g.
// all the processing of one inbound activity. The inbox sets one for each
// activity; without one, fetches are unbounded.
func WithFetchBudget(ctx context.Context, n int) context.Context {
	b := &fetchBudget{}
	b.left.Store(int64(n))
	return context.WithValue(ctx, budgetKey{}, b)
}

// FetchBudget reports how many fetches the context still allows, and
// whether it carries a budget at all.
func FetchBudget(ctx context.Context) (left int, ok bool) {
	b, ok := ctx.Value(budgetKey{}).(*fetchBudget)
	if !ok {
		return 0, false
	}
	return int(max(b.left.Load(), 0)), true
}

// spendFetch takes one fetch from the context's budget.
func spendFetch(ctx context.Context) error {
	b, ok := ctx.Value(budgetKey{}).(*fetchBudget)
	if !ok {
		return nil
	}
	if b.left.Add(-1) < 0 {
		return ErrFetchBudgetExhausted
	}
	return nil
}
