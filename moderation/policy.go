package moderation

import (
	"context"
	"strings"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/storage"
)

// Verdict is what a Policy decides. Its values are those of
// federation.Verdict, so that one converts to the other.
type Verdict int

// Verdicts.
const (
	// VerdictAccept lets the activity (possibly rewritten) through.
	VerdictAccept Verdict = iota
	// VerdictReject refuses it: the inbox answers 403 with the reason.
	VerdictReject
	// VerdictDrop swallows it: the inbox answers 202 and stores nothing.
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

// Decision is a verdict with its reason and, after a rewrite, the
// rewritten activity (set by the Chain, not by policies: they rewrite
// through Activity.Edit).
type Decision struct {
	Verdict Verdict
	Reason  string
	// Policy names the policy that rejected or dropped the activity.
	Policy   string
	Activity *ap.Object
}

// Accept lets the activity through.
func Accept() Decision { return Decision{} }

// Reject refuses the activity (403 with reason).
func Reject(reason string) Decision { return Decision{Verdict: VerdictReject, Reason: reason} }

// Drop swallows the activity (202; reason goes to the logs).
func Drop(reason string) Decision { return Decision{Verdict: VerdictDrop, Reason: reason} }

// Activity is an inbound activity under review: signed and verified, not
// yet stored. Read it through AP and Post; change it through Edit, which
// copies it first (the original is never modified).
type Activity struct {
	// Signer is the verified actor (stored by the resolver; never nil in
	// the inbox).
	Signer *storage.Account
	// Domain is the signer's domain, lower-case.
	Domain string

	act    *ap.Object
	copied bool
}

// NewActivity wraps an activity for policies (Chain does it; tests and
// other callers may too).
func NewActivity(act *ap.Object, signer *storage.Account) *Activity {
	a := &Activity{act: act, Signer: signer}
	if signer != nil {
		a.Domain = strings.ToLower(signer.Domain)
	}
	return a
}

// AP returns the activity as it stands (rewritten if it was). Do not
// modify it: use Edit.
func (a *Activity) AP() *ap.Object { return a.act }

// Type is the activity's type ("Create", "Announce" …).
func (a *Activity) Type() string { return a.act.Type }

// Rewritten reports whether a policy edited the activity.
func (a *Activity) Rewritten() bool { return a.copied }

// Post returns the embedded post of a Create or Update (a Note, Article,
// Question, Page …, not an actor), or nil. Do not modify it: use Edit.
func (a *Activity) Post() *ap.Object {
	if a.act.Type != ap.TypeCreate && a.act.Type != ap.TypeUpdate {
		return nil
	}
	o := a.act.Object.Obj()
	if o == nil || o.IsActor() || o.IsActivity() || o.IsCollection() {
		return nil
	}
	return o
}

// Edit returns a private copy of the post (see Post) for a policy to
// change, or nil when there is none; the copy replaces the original for
// the following policies and the handler. The copy is shallow: assign
// fields and replace slices (o.Attachment = nil), never modify the
// elements of a slice in place.
func (a *Activity) Edit() *ap.Object {
	if a.Post() == nil {
		return nil
	}
	if !a.copied {
		cp := *a.act
		refs := make(ap.Refs, len(cp.Object))
		copy(refs, cp.Object)
		for i, r := range refs {
			if r.Obj != nil {
				o := *r.Obj
				refs[i] = ap.Embed(&o)
				break
			}
		}
		cp.Object = refs
		a.act, a.copied = &cp, true
	}
	return a.act.Object.Obj()
}

// Policy reviews inbound activities. Filter must be safe for concurrent
// use and answer quickly (it runs on every inbound activity, before the
// inbox answers): no network I/O.
type Policy interface {
	Filter(ctx context.Context, a *Activity) Decision
}

// PolicyFunc adapts a function to Policy.
type PolicyFunc func(ctx context.Context, a *Activity) Decision

// Filter calls f.
func (f PolicyFunc) Filter(ctx context.Context, a *Activity) Decision { return f(ctx, a) }

var _ Policy = PolicyFunc(nil)

// Named gives a policy a name, reported in Decision.Policy.
func Named(name string, p Policy) Policy { return named{name, p} }

type named struct {
	name string
	p    Policy
}

func (n named) Filter(ctx context.Context, a *Activity) Decision { return n.p.Filter(ctx, a) }

// Chain runs policies in order: the first reject or drop wins; rewrites
// accumulate. Nil policies are skipped.
type Chain struct {
	policies []Policy
}

// NewChain returns a chain of policies. Typically the first is
// DomainPolicy (cheap, and the most common refusal).
func NewChain(policies ...Policy) *Chain {
	c := &Chain{}
	for _, p := range policies {
		if p != nil {
			c.policies = append(c.policies, p)
		}
	}
	return c
}

// Len is the number of policies in the chain.
func (c *Chain) Len() int { return len(c.policies) }

// Decide runs the chain over act, signed by signer. Its shape is that of
// federation.Policy's Decide, with this package's Decision: the
// composition converts (the verdicts have the same values, Activity is the
// rewrite to dispatch, nil when unchanged).
func (c *Chain) Decide(ctx context.Context, act *ap.Object, signer *storage.Account) Decision {
	a := NewActivity(act, signer)
	for _, p := range c.policies {
		d := p.Filter(ctx, a)
		if d.Verdict != VerdictAccept {
			if d.Policy == "" {
				if n, ok := p.(named); ok {
					d.Policy = n.name
				}
			}
			d.Activity = nil
			return d
		}
	}
	if a.copied {
		return Decision{Activity: a.act}
	}
	return Decision{}
}
