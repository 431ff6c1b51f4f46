package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/herd-social/herd/storage"
	"time"
)

// Browser sessions of the OAuth and sign-up pages. A session is a random
// value in a cookie, stored hashed as a token of the built-in "Web"
// application with a scope that the API never accepts, so no table of its
// own is needed.
const (
	sessionCookie  = "herd_session"
	sessionTTL     = 30 * 24 * time.Hour
	webAppClientID = "herd-web-sessions"
	webAppName     = "Web"
)

// webApp returns the ID of the built-in Web application, creating it on
// first use.
func (a *API) webApp(ctx context.Context) (storage.ID, error) {
	a.webAppMu.Lock()
	defer a.webAppMu.Unlock()
	if a.webAppID != 0 {
		return a.webAppID, nil
	}
	app, err := a.store.OAuth().GetApplicationByClientID(ctx, webAppClientID)
	if errors.Is(err, storage.ErrNotFound) {
		app = &storage.Application{
			Name:             webAppName,
			Website:          a.urls.Base(),
			RedirectURIs:     storage.Strings{OOBRedirectURI},
			Scopes:           storage.Strings{sessionScope},
			ClientID:         webAppClientID,
			ClientSecretHash: HashToken(newSecret()), // nobody knows the secret
		}
		err = a.store.OAuth().CreateApplication(ctx, app)
		if errors.Is(err, storage.ErrConflict) { // another process created it
			app, err = a.store.OAuth().GetApplicationByClientID(ctx, webAppClientID)
		}
	}
	if err != nil {
		return 0, fmt.Errorf("web application: %w", err)
	}
	a.webAppID = app.ID
	return app.ID, nil
}

// startSession signs accountID in to the browser.
func (a *API) startSession(ctx context.Context, w http.ResponseWriter, accountID storage.ID) error {
	appID, err := a.webApp(ctx)
	if err != nil {
		return err
	}
	plain, _, err := a.issueToken(ctx, a.store, appID, accountID, Scopes{sessionScope})
	if err != nil {
		return fmt.Errorf("start session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: plain, Path: "/", HttpOnly: true,
		Secure: a.urls.Scheme() == "https", SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL / time.Second)})
	return nil
}

// sessionUser returns the user signed in to the browser, or nils.
func (a *API) sessionUser(ctx context.Context, r *http.Request) (*storage.User, *storage.Account, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil, nil
	}
	t, err := a.store.OAuth().GetToken(ctx, HashToken(c.Value))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	if len(t.Scopes) != 1 || t.Scopes[0] != sessionScope || t.AccountID == 0 {
		return nil, nil, nil
	}
	if a.now().Sub(t.CreatedAt) > sessionTTL {
		_ = a.store.OAuth().RevokeToken(ctx, t.TokenHash)
		a.tokens.forget(t.TokenHash)
		return nil, nil, nil
	}
	u, acct, err := a.loadUser(ctx, t.AccountID)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) && ae.Status < 500 {
			return nil, nil, nil // no longer allowed to sign in
		}
		return nil, nil, err
	}
	return u, acct, nil
}
