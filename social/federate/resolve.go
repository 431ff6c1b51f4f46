package federate

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// ErrNotResolved is returned (wrapped) by Resolve when the query names
// nothing that can be found.
var ErrNotResolved = errors.New("federate: nothing found")

// Resolved is what Resolve found: an account or a status.
type Resolved struct {
	Account *storage.Account
	Status  *storage.Status
}

// Resolve looks up a search query on other servers, for
// GET /api/v2/search?resolve=true: "@user@domain" or "user@domain" is
// resolved through WebFinger to an account; an http(s) URL to the status
// (a Note, Question, Article …, stored with its author) or account (an
// actor) it names. What is already stored is returned without a fetch.
// At most Options.ResolveBudget remote fetches are made. It returns an
// error wrapping ErrNotResolved when the query names nothing found.
func (f *Federator) Resolve(ctx context.Context, query string) (*Resolved, error) {
	q := strings.TrimSpace(query)
	if q == "" {
		return nil, fmt.Errorf("resolve: empty query: %w", ErrNotResolved)
	}
	ctx = federation.WithFetchBudget(ctx, f.o.ResolveBudget)
	if strings.HasPrefix(q, "https://") || strings.HasPrefix(q, "http://") {
		return f.resolveURL(ctx, q)
	}
	handle := strings.TrimPrefix(strings.TrimPrefix(q, "acct:"), "@")
	user, host, ok := strings.Cut(handle, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(handle, " /\t\r\n") {
		return nil, fmt.Errorf("resolve %q: not a handle or URL: %w", query, ErrNotResolved)
	}
	if strings.EqualFold(host, f.urls.Host()) {
		a, err := f.store.Accounts().GetByUsername(ctx, user, "")
		if err != nil {
			return nil, fmt.Errorf("resolve %q: %w: %w", query, ErrNotResolved, err)
		}
		return &Resolved{Account: a}, nil
	}
	if a, err := f.store.Accounts().GetByUsername(ctx, user, strings.ToLower(host)); err == nil {
		return &Resolved{Account: a}, nil
	}
	a, err := f.resolver.ResolveHandle(ctx, handle)
	if err != nil {
		return nil, fmt.Errorf("resolve %q: %w: %w", query, ErrNotResolved, err)
	}
	return &Resolved{Account: a}, nil
}

func (f *Federator) resolveURL(ctx context.Context, u string) (*Resolved, error) {
	if st, err := f.statusByURI(ctx, u); err != nil {
		return nil, err
	} else if st != nil {
		return &Resolved{Status: st}, nil
	}
	if a, err := f.store.Accounts().GetByURI(ctx, u); err == nil {
		return &Resolved{Account: a}, nil
	}
	if strings.HasPrefix(u, f.urls.Base()+"/") {
		return nil, fmt.Errorf("resolve %s: %w", u, ErrNotResolved)
	}
	o, err := f.resolver.ResolveObject(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w: %w", u, ErrNotResolved, err)
	}
	switch {
	case o.IsActor():
		a, err := f.resolver.ResolveActor(ctx, o.ID)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w: %w", u, ErrNotResolved, err)
		}
		return &Resolved{Account: a}, nil
	case ap.IsPostType(o.Type):
		if st, err := f.statusByURI(ctx, o.ID); err != nil {
			return nil, err
		} else if st != nil {
			return &Resolved{Status: st}, nil
		}
		authorIRI := attributedActor(o)
		if authorIRI == "" || !ap.SameOrigin(authorIRI, o.ID) {
			return nil, fmt.Errorf("resolve %s: post not attributed to an actor of its origin: %w", u, ErrNotResolved)
		}
		author, err := f.resolver.ResolveActor(ctx, authorIRI)
		if err != nil {
			return nil, fmt.Errorf("resolve %s: author: %w: %w", u, ErrNotResolved, err)
		}
		if author.Local() {
			return nil, fmt.Errorf("resolve %s: %w", u, ErrNotResolved)
		}
		st, err := f.storePost(ctx, o, author, storeOptions{force: true, parents: true})
		if err != nil {
			return nil, fmt.Errorf("resolve %s: %w", u, err)
		}
		if st == nil {
			return nil, fmt.Errorf("resolve %s: %w", u, ErrNotResolved)
		}
		return &Resolved{Status: st}, nil
	}
	return nil, fmt.Errorf("resolve %s: a %s is neither an account nor a post: %w", u, o.Type, ErrNotResolved)
}
