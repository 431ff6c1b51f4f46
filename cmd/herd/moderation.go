package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// setupModeration reads the policy file (if any) and builds the domain
// view and the inbound policy chain: domain rules first, then the
// built-ins the file asks for.
func (a *app) setupModeration(c *config, st *storeHandle, urls *social.URLs, log *slog.Logger) error {
	cfg := &moderation.Config{}
	if c.PolicyFile != "" {
		var err error
		if cfg, err = moderation.LoadConfig(c.PolicyFile); err != nil {
			return err
		}
	}
	cfg.Hold = a.holdPost // new accounts' posts wait for herd held release
	a.domains = moderation.NewDomains(st, &moderation.DomainsOptions{
		AllowList:   cfg.LimitedFederation,
		LocalDomain: urls.Host(),
		Logger:      log.With("component", "moderation"),
	})
	a.policy = moderation.NewChain(append([]moderation.Policy{moderation.DomainPolicy(a.domains), moderation.SuspendedAccountPolicy()}, cfg.Policies(nil)...)...)
	if c.PolicyFile != "" {
		log.Info("inbound policies loaded", "file", c.PolicyFile, "policies", a.policy.Len(), "limited_federation", cfg.LimitedFederation)
	}
	return nil
}

// inboxPolicy adapts the moderation chain to the inbox's Policy hook.
func inboxPolicy(c *moderation.Chain) federation.Policy {
	if c == nil {
		return nil
	}
	return federation.PolicyFunc(func(ctx context.Context, act *ap.Object, signer *storage.Account) federation.Decision {
		d := c.Decide(ctx, act, signer)
		reason := d.Reason
		if d.Policy != "" && d.Verdict == moderation.VerdictDrop {
			reason = d.Policy + ": " + reason
		}
		return federation.Decision{Verdict: federation.Verdict(d.Verdict), Reason: reason, Activity: d.Activity}
	})
}

// fetchedPostPolicy runs the moderation chain on a post the server fetched
// itself (boosted, in a thread, found by search), wrapped in the Create its
// author would have sent: keyword, hashtag, mention, media and new-account
// rules apply to it as to delivered posts.
func fetchedPostPolicy(c *moderation.Chain) func(ctx context.Context, post *ap.Object, author *storage.Account) (*ap.Object, error) {
	if c == nil {
		return nil
	}
	return func(ctx context.Context, post *ap.Object, author *storage.Account) (*ap.Object, error) {
		act := &ap.Object{ID: post.ID + "#fetched", Type: ap.TypeCreate, Actor: ap.IRIRef(author.URI),
			To: post.To, Cc: post.Cc, Object: ap.Refs{ap.Embed(post)}}
		d := c.Decide(ctx, act, author)
		if d.Verdict != moderation.VerdictAccept {
			return nil, fmt.Errorf("%s: %s", d.Verdict, d.Reason)
		}
		if d.Activity != nil && len(d.Activity.Object) == 1 && d.Activity.Object[0].Obj != nil {
			return d.Activity.Object[0].Obj, nil
		}
		return post, nil
	}
}
