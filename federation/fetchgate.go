package federation

import (
	"context"
	"net/http"
	"strings"

	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

// FetchGate decides, for signed fetches of a local account's documents
// (actor, outbox, collections, statuses), whether the signer is refused.
// Unsigned fetches are served as before (public documents only): the gate
// only keeps an instance or account that identifies itself from reading
// what its blocker publishes, as Mastodon does outside authorized-fetch
// mode.
type FetchGate struct {
	// Resolver verifies signatures (it resolves and caches keys) and finds
	// the signer's account. Required.
	Resolver *Resolver
	// Verifier checks the signatures (default signature.NewVerifier(nil)).
	Verifier *signature.Verifier
	// Blocked refuses (401) fetches signed by a key on a suspended host.
	Blocked HostBlocker
	// Refuses reports whether owner refuses signer its documents (owner
	// blocks signer, or the domain of signer; the signer may be an
	// instance actor). Refused fetches answer 404, as if nothing were
	// there.
	Refuses func(ctx context.Context, owner, signer *storage.Account) (bool, error)
}

// signed reports whether r carries an HTTP signature (draft-cavage or
// RFC 9421).
func signed(r *http.Request) bool {
	if r.Header.Get("Signature") != "" || r.Header.Get("Signature-Input") != "" {
		return true
	}
	auth := r.Header.Get("Authorization")
	return len(auth) > 10 && strings.EqualFold(auth[:10], "signature ")
}

// allow checks a fetch of owner's documents, answering the refusal itself
// (401 for a bad signature or a suspended host, 404 for a refused signer)
// and reporting whether to go on.
func (g *FetchGate) allow(w http.ResponseWriter, r *http.Request, owner *storage.Account) bool {
	if g == nil || g.Resolver == nil || !signed(r) {
		return true
	}
	ctx := r.Context()
	keyID, err := signatureKeyID(r)
	if err != nil {
		http.Error(w, "invalid signature: "+err.Error(), signature.HTTPStatus(err))
		return false
	}
	if hostBlocked(ctx, g.Blocked, keyID) {
		http.Error(w, "this server does not federate with "+hostOfIRI(keyID), http.StatusUnauthorized)
		return false
	}
	if isActorPath(r) {
		// The actor document carries the key: whoever the owner blocks
		// must still fetch it to verify the owner's Block (and Undo, and
		// Delete) sent to them, as on Mastodon. Only suspended servers
		// are refused it.
		return true
	}
	v := g.Verifier
	if v == nil {
		v = signature.NewVerifier(nil)
	}
	res, err := v.Verify(WithFetchBudget(ctx, 2), r, nil, g.Resolver)
	if err != nil {
		http.Error(w, "invalid signature: "+err.Error(), signature.HTTPStatus(err))
		return false
	}
	if hostBlocked(ctx, g.Blocked, res.Owner) {
		http.Error(w, "this server does not federate with "+hostOfIRI(res.Owner), http.StatusUnauthorized)
		return false
	}
	if g.Refuses == nil {
		return true
	}
	signer := g.Resolver.signerAccount(res.KeyID)
	if signer == nil || signer.URI != stripFragment(res.Owner) {
		if signer, err = g.Resolver.ResolveActor(WithFetchBudget(ctx, 2), res.Owner); err != nil {
			http.Error(w, "cannot resolve the signer", http.StatusUnauthorized)
			return false
		}
	}
	refused, err := g.Refuses(ctx, owner, signer)
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return false
	}
	if refused {
		http.NotFound(w, r)
		return false
	}
	return true
}
