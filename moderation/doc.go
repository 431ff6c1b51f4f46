// Package moderation holds Herd's federation-level moderation: the
// instance's domain blocks and allows as a fast in-memory view (Domains),
// and the pluggable inbound policy chain (Policy, Chain) that sees every
// activity from another server after its signature is verified and before
// anything is stored — like Pleroma's MRF.
//
// A Policy accepts, rejects (the inbox answers 403), drops (202, silently)
// or rewrites an activity (marks a post sensitive, strips its media …).
// Built-in policies cover domain blocks and allow-list federation, keyword
// and regular-expression rules, hashtags, media stripping by domain, a cap
// on mentions per post and a quarantine for brand-new remote accounts; a
// policy file (ParseConfig) configures them per instance. Writing one takes
// a few lines:
//
//	noBots := moderation.PolicyFunc(func(ctx context.Context, a *moderation.Activity) moderation.Decision {
//		if a.Signer != nil && a.Signer.Bot && a.Type() == ap.TypeCreate {
//			return moderation.Drop("bots are not welcome here")
//		}
//		return moderation.Accept()
//	})
//	chain := moderation.NewChain(domains, noBots)
//
// The chain's Decide method has the shape of federation.Policy's; the
// composition (cmd/herd) adapts it. Package moderation depends on storage
// and ap only, so that federation and social may both use it.
//
// Domains answers "is this host suspended / silenced / rejecting media or
// reports?" from memory on every inbound activity and outgoing delivery. It
// reloads the blocks from storage when its snapshot is older than
// DomainsOptions.TTL (default 5 s) and at once after a write made through
// Reload: another process sharing the database sees a change within TTL.
// Matching covers subdomains: blocking example.com blocks a.example.com;
// the most specific block applies.
package moderation
