package federation

import (
	"context"
	"errors"

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
	// Activity, when set on an accept, is a rewritten copy of the activity
	// (a post marked sensitive, media stripped …) that replaces it for the
	// rest of the chain and for dispatch. It must keep the id, type and
	// actor of the original (the inbox ignores a rewrite that does not).
	// Policies never modify the activity they are given: they copy it.
	Activity *ap.Object
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
// wins. A rewrite (Decision.Activity) is what the following policies see,
// and the chain's accept carries the last one. Nil policies are skipped.
func PolicyChain(policies ...Policy) Policy {
	return PolicyFunc(func(ctx context.Context, act *ap.Object, signer *storage.Account) Decision {
		var rewritten *ap.Object
		for _, p := range policies {
			if p == nil {
				continue
			}
			d := p.Decide(ctx, act, signer)
			if d.Verdict != VerdictAccept {
				return d
			}
			if d.Activity != nil && sameActivity(d.Activity, act) {
				act, rewritten = d.Activity, d.Activity
			}
		}
		return Decision{Verdict: VerdictAccept, Activity: rewritten}
	})
}

// sameActivity reports whether a rewrite keeps the original's id, type and
// actor.
func sameActivity(rewritten, orig *ap.Object) bool {
	return rewritten.ID == orig.ID && rewritten.Type == orig.Type && rewritten.Actor.ID() == orig.Actor.ID()
}

// HostBlocker tells whether this server refuses to federate with a remote
// host (a suspended domain, or one outside the allow-list): the inbox
// answers 403 to activities signed by its actors before fetching their key,
// the Deliverer drops deliveries to it, and the Resolver neither fetches
// from it nor looks up handles on it. host is lower-case and may carry a
// port. It is called on every inbound activity and outgoing delivery:
// implementations answer from memory (see moderation.Domains).
type HostBlocker interface {
	HostBlocked(ctx context.Context, host string) bool
}

// HostBlockerFunc adapts a function to HostBlocker.
type HostBlockerFunc func(ctx context.Context, host string) bool

// HostBlocked calls f.
func (f HostBlockerFunc) HostBlocked(ctx context.Context, host string) bool { return f(ctx, host) }

var _ HostBlocker = HostBlockerFunc(nil)

// ErrHostBlocked is returned (wrapped) by the Resolver for an IRI or handle
// on a host the HostBlocker refuses.
var ErrHostBlocked = errors.New("federation: host is blocked")

// hostBlocked reports whether b refuses the host of iri (false for a nil b
// or an IRI without a host).
func hostBlocked(ctx context.Context, b HostBlocker, iri string) bool {
	if b == nil {
		return false
	}
	h := hostOfIRI(iri)
	return h != "" && b.HostBlocked(ctx, h)
}
