package federation

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
)

// EnsureInstanceActor returns the instance actor, creating it on first use:
// an Application actor at urls.InstanceActor() whose preferredUsername is
// the host (as Mastodon does), with its own RSA key pair, stored as a local
// account whose username is urls.Host() (users cannot register names with
// dots or colons, so it cannot clash). It also returns a signer for its key,
// for signed fetches (Resolver) and NewAccountSigners.
func EnsureInstanceActor(ctx context.Context, accounts storage.Accounts, urls URLs) (*storage.Account, *signature.Signer, error) {
	host := urls.Host()
	a, err := accounts.GetByUsername(ctx, host, "")
	if errors.Is(err, storage.ErrNotFound) {
		a, err = createInstanceActor(ctx, accounts, urls)
		if errors.Is(err, storage.ErrConflict) { // created concurrently
			a, err = accounts.GetByUsername(ctx, host, "")
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor: %w", err)
	}
	key, err := signature.DecodePrivateKeyPEM([]byte(a.PrivateKeyPEM))
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor: %w", err)
	}
	s, err := signature.NewSigner(a.PublicKeyID, key, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("instance actor: %w", err)
	}
	return a, s, nil
}

func createInstanceActor(ctx context.Context, accounts storage.Accounts, urls URLs) (*storage.Account, error) {
	key, err := signature.GenerateRSAKey(2048)
	if err != nil {
		return nil, err
	}
	pub, err := signature.EncodePublicKeyPEM(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	id := urls.InstanceActor()
	a := &storage.Account{
		Username:       urls.Host(),
		URI:            id,
		URL:            urls.Base() + "/about/more?instance_actor=true",
		InboxURI:       id + "/inbox",
		OutboxURI:      id + "/outbox",
		SharedInboxURI: urls.SharedInbox(),
		ActorType:      storage.ActorApplication,
		PublicKeyID:    id + "#main-key",
		PublicKeyPEM:   string(pub),
		PrivateKeyPEM:  string(signature.EncodePKCS1PrivateKeyPEM(key)),
		Locked:         true,
		Bot:            true,
		Fields:         storage.Fields{},
		Emojis:         storage.Emojis{},
		AlsoKnownAs:    storage.Strings{},
		Extra:          storage.Extra{},
	}
	if err := accounts.Create(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// WebFingerResolver answers WebFinger queries for local accounts: a
// webfinger.Resolver for webfinger.NewHandler.
type WebFingerResolver struct {
	accounts AccountLookup
	urls     URLs
}

var _ webfinger.Resolver = (*WebFingerResolver)(nil)

// NewWebFingerResolver returns a resolver for the local accounts found by
// accounts, laid out by urls. It knows acct:user@host (host being
// urls.Host(), with its port if any), the actor URL and the profile URL
// forms, and the instance actor as acct:HOST@HOST or its URL.
func NewWebFingerResolver(accounts AccountLookup, urls URLs) *WebFingerResolver {
	return &WebFingerResolver{accounts: accounts, urls: urls}
}

// ResolveWebFinger implements webfinger.Resolver.
func (wr *WebFingerResolver) ResolveWebFinger(ctx context.Context, r webfinger.Resource) (*webfinger.JRD, error) {
	host := strings.ToLower(wr.urls.Host())
	var username string
	switch {
	case r.IsAcct():
		if r.Host != host {
			return nil, fmt.Errorf("%s: not on this server: %w", r, webfinger.ErrNotFound)
		}
		username = r.User
	case r.URL == wr.urls.InstanceActor():
		username = host
	default:
		for _, prefix := range []string{wr.urls.Actor(""), wr.urls.Profile("")} {
			if rest, ok := strings.CutPrefix(r.URL, prefix); ok && rest != "" && !strings.ContainsAny(rest, "/?#") {
				username = rest
				break
			}
		}
	}
	if username == "" {
		return nil, fmt.Errorf("%s: %w", r, webfinger.ErrNotFound)
	}
	a, err := wr.accounts.GetByUsername(ctx, username, "")
	if errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("%s: %w", r, webfinger.ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	profile := a.URL
	if profile == "" {
		profile = wr.urls.Profile(a.Username)
	}
	actor := a.URI
	if actor == "" {
		actor = wr.urls.Actor(a.Username)
	}
	jrd := &webfinger.JRD{
		Subject: "acct:" + a.Username + "@" + host,
		Aliases: []string{profile, actor},
		Links: []webfinger.Link{
			{Rel: webfinger.RelProfilePage, Type: webfinger.MediaTypeHTML, Href: profile},
			{Rel: webfinger.RelSelf, Type: webfinger.MediaTypeAS, Href: actor},
			{Rel: webfinger.RelSubscribe, Template: wr.urls.Base() + "/authorize_interaction?uri={uri}"},
		},
	}
	if a.AvatarURL != "" {
		jrd.Links = append(jrd.Links, webfinger.Link{Rel: webfinger.RelAvatar, Type: mediaTypeOf(a.AvatarURL), Href: a.AvatarURL})
	}
	return jrd, nil
}
