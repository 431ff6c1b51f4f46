package federation

import (
	"context"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// Verdict is what a Policy decides about an inbound activity.
type Verdict int

// Verdicts.
const (
	// VerdictAccept lets the activity through to its handler.
	VerdictAccept Verdict = iota
	// VerdictReject refuses it: the inbox answers 403 with the reason.
	VerdictReject
	// VerdictDrop swallows it silently: the inbox answers 202, as if it had
	// been processed, so the sender does not retry.
	VerdictDrop
)

// String returns "accept", "reject" or "drop".
func (v Verdict) String() string {
	switch v {
	case VerdictAccept:
		return "accept"
	case VerdictReject:
		return "reject"
	case VerdictDrop:
		return "drop"
	}
	return "unknown"
}

// Decision is a Policy's verdict with a reason (for the sender on a reject,
// for the logs otherwise).
type Decision struct {
	Verdict Verdict
	Reason  string
}

// Policy filters inbound activities after their signature, actor and origin
// have been checked and before they are dispatched. Moderation (domain
// blocks, MRF-like rewriting rules) plugs in here. signer is the verified
// actor's account; act is read-only.
type Policy interface {
	Decide(ctx context.Context, act *ap.Object, signer *storage.Account) Decision
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, act *ap.Object, signer *storage.Account) Decision

// Decide calls f.
func (f PolicyFunc) Decide(ctx context.Context, act *ap.Object, signer *storage.Account) Decision {
	return f(ctx, act, signer)
}

var _ Policy = PolicyFunc(nil)

// PolicyChain runs policies in order; the first verdict other than accept
// wins. Nil policies are skipped.
func PolicyChain(policies ...Policy) Policy {
	return PolicyFunc(func(ctx context.Context, act *ap.Object, signer *storage.Account) Decision {
		for _, p := range policies {
			if p == nil {
				continue
			}
			if d := p.Decide(ctx, act, signer); d.Verdict != VerdictAccept {
				return d
			}
		}
		return Decision{Verdict: VerdictAccept}
	})
}
