package mastoapi

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// OOBRedirectURI is the redirect URI that shows the authorization code on a
// page instead of redirecting.
const OOBRedirectURI = "urn:ietf:wg:oauth:2.0:oob"

// codeTTL is how long an authorization code may be exchanged.
const codeTTL = 10 * time.Minute

// Limits of app registration.
const (
	maxAppName        = 60
	maxRedirectURIs   = 10
	maxRedirectURILen = 2000
	maxWebsiteLen     = 2000
)

const invalidGrantText = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."

// oauthError returns an RFC 6749 error response.
func oauthError(status int, code, description string) *Error {
	return &Error{Status: status, Message: code, Description: description}
}

var (
	errInvalidClient = oauthError(http.StatusUnauthorized, "invalid_client",
		"Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.")
	errInvalidGrant = oauthError(http.StatusBadRequest, "invalid_grant", invalidGrantText)
	errInvalidScope = oauthError(http.StatusBadRequest, "invalid_scope",
		"The requested scope is invalid, unknown, or malformed.")
)

// ---- POST /api/v1/apps, GET /api/v1/apps/verify_credentials ----

// parseRedirectURIs accepts a newline- or space-separated string or a list.
func parseRedirectURIs(p *Params) ([]string, error) {
	var uris []string
	for _, s := range p.Strings("redirect_uris") {
		uris = append(uris, strings.Fields(s)...)
	}
	if len(uris) == 0 {
		return nil, validationError("Redirect URI can't be blank")
	}
	if len(uris) > maxRedirectURIs {
		return nil, validationError("Redirect URI has too many entries")
	}
	out := make([]string, 0, len(uris))
	for _, u := range uris {
		if err := checkRedirectURI(u); err != nil {
			return nil, err
		}
		if !contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkRedirectURI accepts absolute URIs without fragments (custom schemes
// such as myapp://callback included) and the out-of-band URN; it refuses
// schemes that would run code in the browser.
func checkRedirectURI(s string) error {
	if s == OOBRedirectURI {
		return nil
	}
	if len(s) > maxRedirectURILen {
		return validationError("Redirect URI is too long")
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || !u.IsAbs() {
		return validationError("Redirect URI must be an absolute URI.")
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return validationError("Redirect URI cannot contain a fragment.")
	}
	switch strings.ToLower(u.Scheme) {
	case "javascript", "data", "vbscript", "file", "blob", "about":
		return validationError("Redirect URI is forbidden by the server.")
	case "http", "https":
		if u.Host == "" {
			return validationError("Redirect URI must be an absolute URI.")
		}
	}
	return nil
}

func (a *API) createApp(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	name := strings.TrimSpace(p.String("client_name"))
	if name == "" {
		return validationError("Application name can't be blank")
	}
	if len([]rune(name)) > maxAppName {
		return validationError(fmt.Sprintf("Application name is too long (maximum is %d characters)", maxAppName))
	}
	uris, err := parseRedirectURIs(p)
	if err != nil {
		return err
	}
	scopes := ParseScopes(strings.Join(p.Strings("scopes"), " "))
	if len(scopes) == 0 {
		scopes = Scopes{"read"}
	}
	if !scopes.Valid() {
		return validationError("Scopes are not valid")
	}
	website := strings.TrimSpace(p.String("website"))
	if website != "" {
		u, err := url.Parse(website)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(website) > maxWebsiteLen {
			return validationError("Website is invalid")
		}
	}
	secret := newSecret()
	app := &storage.Application{
		Name:             name,
		Website:          website,
		RedirectURIs:     storage.Strings(uris),
		Scopes:           storage.Strings(scopes),
		ClientID:         newSecret(),
		ClientSecretHash: HashToken(secret),
		CreatedAt:        a.now().UTC(),
	}
	if au := AuthOf(r); au != nil && au.Account != nil {
		app.OwnerAccountID = au.Account.ID
	}
	if err := a.store.OAuth().CreateApplication(r.Context(), app); err != nil {
		return fmt.Errorf("create application: %w", err)
	}
	out := ApplicationToAPI(app, a.info.VAPIDPublicKey)
	out.ClientID, out.ClientSecret = app.ClientID, secret
	zero := int64(0)
	out.ClientSecretExpiresAt = &zero
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) verifyApp(w http.ResponseWriter, r *http.Request) error {
	au := AuthOf(r)
	app, err := a.store.OAuth().GetApplication(r.Context(), au.Token.ApplicationID)
	if errors.Is(err, storage.ErrNotFound) {
		return ErrInvalidToken
	}
	if err != nil {
		return fmt.Errorf("verify app: %w", err)
	}
	WriteJSON(w, http.StatusOK, ApplicationToAPI(app, a.info.VAPIDPublicKey))
	return nil
}

// ---- GET/POST /oauth/authorize ----

// authzRequest is a validated authorization request.
type authzRequest struct {
	app         *storage.Application
	redirectURI string
	scopes      Scopes
	state       string
	challenge   string
	method      string
	forceLogin  bool
	lang        string
}

// hidden returns the fields that carry the request through the forms.
func (q *authzRequest) hidden() []hiddenField {
	f := []hiddenField{
		{"response_type", "code"}, {"client_id", q.app.ClientID}, {"redirect_uri", q.redirectURI},
		{"scope", q.scopes.String()},
	}
	for _, kv := range [][2]string{{"state", q.state}, {"code_challenge", q.challenge}, {"code_challenge_method", q.method}, {"lang", q.lang}} {
		if kv[1] != "" {
			f = append(f, hiddenField{kv[0], kv[1]})
		}
	}
	return f
}

// redirectWith sends the browser back to the client with params, or shows
// them on a page for the out-of-band URI.
func (a *API) redirectWith(w http.ResponseWriter, r *http.Request, q *authzRequest, params url.Values) error {
	if q.state != "" {
		params.Set("state", q.state)
	}
	if q.redirectURI == OOBRedirectURI {
		if code := params.Get("code"); code != "" {
			return a.renderPage(w, http.StatusOK, "code", &pageData{Title: "Authorization code", App: q.app.Name, Code: code, Lang: q.lang})
		}
		return a.renderPage(w, http.StatusBadRequest, "message", &pageData{Title: "Authorization failed", Message: params.Get("error_description"), Lang: q.lang})
	}
	u, err := url.Parse(q.redirectURI)
	if err != nil {
		return fmt.Errorf("redirect uri: %w", err)
	}
	vs := u.Query()
	for k, v := range params {
		vs[k] = v
	}
	u.RawQuery = vs.Encode()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", u.String())
	w.WriteHeader(http.StatusFound)
	return nil
}

func redirectError(code, description string) url.Values {
	return url.Values{"error": {code}, "error_description": {description}}
}

// authzFailure is an authorization request that cannot be redirected back.
type authzFailure struct{ message string }

func (e *authzFailure) Error() string { return e.message }

// parseAuthz validates an authorization request. Problems with the client
// or redirect URI are shown on a page (*authzFailure); the others are sent
// back to the client as redirect parameters (second result).
func (a *API) parseAuthz(ctx context.Context, p *Params) (*authzRequest, url.Values, error) {
	clientID := p.String("client_id")
	if clientID == "" {
		return nil, nil, &authzFailure{"The request is missing the client_id parameter."}
	}
	app, err := a.store.OAuth().GetApplicationByClientID(ctx, clientID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, &authzFailure{"Client authentication failed: the application is unknown."}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authorize: application: %w", err)
	}
	q := &authzRequest{app: app, state: p.String("state"), lang: p.String("lang"),
		forceLogin: p.Bool("force_login", false)}
	if len(q.lang) > 16 {
		q.lang = ""
	}
	q.redirectURI = p.String("redirect_uri")
	if q.redirectURI == "" && len(app.RedirectURIs) == 1 {
		q.redirectURI = app.RedirectURIs[0]
	}
	if !contains(app.RedirectURIs, q.redirectURI) {
		return nil, nil, &authzFailure{"The redirect URI included is not valid: it must match one registered by the application exactly."}
	}
	if rt := p.String("response_type"); rt != "code" {
		return q, redirectError("unsupported_response_type", "The authorization server does not support this response type."), nil
	}
	q.scopes = ParseScopes(p.String("scope"))
	if len(q.scopes) == 0 {
		q.scopes = Scopes{"read"}
		if !Scopes(app.Scopes).Covers(q.scopes) {
			q.scopes = Scopes(app.Scopes)
		}
	}
	if !q.scopes.Valid() || !Scopes(app.Scopes).Covers(q.scopes) {
		return q, redirectError("invalid_scope", errInvalidScope.Description), nil
	}
	q.challenge, q.method = p.String("code_challenge"), p.String("code_challenge_method")
	if q.challenge != "" || q.method != "" {
		if q.method != "S256" {
			return q, redirectError("invalid_request", "Only the S256 code challenge method is supported."), nil
		}
		if !validVerifier(q.challenge) {
			return q, redirectError("invalid_request", "The code challenge is malformed."), nil
		}
	}
	return q, nil, nil
}

// validVerifier checks the RFC 7636 syntax shared by verifiers and S256
// challenges: 43 to 128 unreserved characters.
func validVerifier(s string) bool {
	if len(s) < 43 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

func (a *API) authzPage(w http.ResponseWriter, r *http.Request, status int, q *authzRequest, acct *storage.Account, errMsg, email string) error {
	d := &pageData{Lang: q.lang, CSRF: a.csrfToken(w, r), Hidden: q.hidden(), Action: "/oauth/authorize",
		App: q.app.Name, Error: errMsg, Email: email}
	if acct == nil {
		d.Title = "Sign in"
		if a.info.Registrations != RegistrationsClosed {
			d.SignUpURL = "/auth/sign_up"
		}
		return a.renderPage(w, status, "sign_in", d)
	}
	d.Title = "Authorize " + q.app.Name
	d.Acct = acct.Username
	for _, s := range q.scopes {
		d.Scopes = append(d.Scopes, scopeText{s, scopeDescription(s)})
	}
	return a.renderPage(w, status, "consent", d)
}

func scopeDescription(s string) string {
	switch {
	case s == "read":
		return "read all your account's data"
	case s == "write":
		return "modify all your account's data"
	case s == "follow":
		return "modify account relationships"
	case s == "push":
		return "receive your push notifications"
	case s == "profile":
		return "read only your account's profile information"
	case strings.HasPrefix(s, "admin:"):
		return "administer the server (" + strings.TrimPrefix(s, "admin:") + ")"
	case strings.HasPrefix(s, "read:"):
		return "see your " + strings.ReplaceAll(strings.TrimPrefix(s, "read:"), "_", " ")
	case strings.HasPrefix(s, "write:"):
		return "modify your " + strings.ReplaceAll(strings.TrimPrefix(s, "write:"), "_", " ")
	}
	return s
}

func (a *API) authorizeFailure(w http.ResponseWriter, err error) error {
	var f *authzFailure
	if errors.As(err, &f) {
		return a.renderPage(w, http.StatusBadRequest, "message", &pageData{Title: "Authorization failed", Message: f.message})
	}
	return err
}

func (a *API) authorizeGet(w http.ResponseWriter, r *http.Request) error {
	q, redirectErr, err := a.parseAuthz(r.Context(), ParamsOf(r))
	if err != nil {
		return a.authorizeFailure(w, err)
	}
	if redirectErr != nil {
		return a.redirectWith(w, r, q, redirectErr)
	}
	var acct *storage.Account
	if !q.forceLogin {
		if _, acct, err = a.sessionUser(r.Context(), r); err != nil {
			return err
		}
	}
	return a.authzPage(w, r, http.StatusOK, q, acct, "", "")
}

func (a *API) authorizePost(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	ctx := r.Context()
	if !a.checkCSRF(r, p) {
		return a.renderPage(w, http.StatusForbidden, "message", &pageData{Title: "Form expired",
			Message: "This form has expired or was sent from another site. Go back, reload the page and try again."})
	}
	q, redirectErr, err := a.parseAuthz(ctx, p)
	if err != nil {
		return a.authorizeFailure(w, err)
	}
	if redirectErr != nil {
		return a.redirectWith(w, r, q, redirectErr)
	}
	if p.String("step") == "sign_in" {
		if !a.limiter.allow(w, "auth-ip:"+a.ip(r), true) {
			return a.authzPage(w, r, http.StatusTooManyRequests, q, nil, "Too many attempts. Wait a few minutes and try again.", p.String("email"))
		}
		_, acct, msg, err := a.checkPassword(ctx, p.String("email"), p.String("password"))
		if err != nil {
			return err
		}
		if msg != "" {
			return a.authzPage(w, r, http.StatusUnauthorized, q, nil, msg, p.String("email"))
		}
		if err := a.startSession(ctx, w, acct.ID); err != nil {
			return err
		}
		return a.authzPage(w, r, http.StatusOK, q, acct, "", "")
	}
	_, acct, err := a.sessionUser(ctx, r)
	if err != nil {
		return err
	}
	if acct == nil {
		return a.authzPage(w, r, http.StatusUnauthorized, q, nil, "Your session has expired. Sign in again.", "")
	}
	if p.String("decision") != "authorize" {
		return a.redirectWith(w, r, q, redirectError("access_denied",
			"The resource owner or authorization server denied the request."))
	}
	code := newSecret()
	now := a.now().UTC()
	c := &storage.AuthorizationCode{
		CodeHash:            HashToken(code),
		ApplicationID:       q.app.ID,
		AccountID:           acct.ID,
		RedirectURI:         q.redirectURI,
		Scopes:              storage.Strings(q.scopes),
		CodeChallenge:       q.challenge,
		CodeChallengeMethod: q.method,
		ExpiresAt:           now.Add(codeTTL),
		CreatedAt:           now,
	}
	if err := a.store.OAuth().CreateCode(ctx, c); err != nil {
		return fmt.Errorf("authorize: create code: %w", err)
	}
	return a.redirectWith(w, r, q, url.Values{"code": {code}})
}

// checkPassword signs a user in by email and password. A non-empty message
// is shown to the user (wrong password, pending approval …).
func (a *API) checkPassword(ctx context.Context, email, password string) (*storage.User, *storage.Account, string, error) {
	const wrong = "Invalid email or password."
	email = strings.TrimSpace(email)
	if email == "" || password == "" || len(email) > 320 || len(password) > 1024 {
		return nil, nil, wrong, nil
	}
	u, err := a.store.Users().GetByEmail(ctx, email)
	if errors.Is(err, storage.ErrNotFound) {
		// Spend the time a real check takes, so that timing does not tell
		// which emails exist.
		social.CheckPassword(a.dummyHash(), password)
		return nil, nil, wrong, nil
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("sign in: %w", err)
	}
	if !social.CheckPassword(u.PasswordHash, password) {
		return nil, nil, wrong, nil
	}
	acct, err := a.store.Accounts().Get(ctx, u.AccountID)
	if err != nil {
		return nil, nil, "", fmt.Errorf("sign in: account: %w", err)
	}
	if e := userUsable(u, acct); e != nil {
		return nil, nil, e.Message + ".", nil
	}
	return u, acct, "", nil
}

// dummyHash returns a bcrypt hash of a random password, checked when an
// email is unknown.
func (a *API) dummyHash() string {
	a.dummyOnce.Do(func() {
		a.dummy, _ = social.HashPassword(newSecret())
	})
	return a.dummy
}

// ---- POST /oauth/token ----

// clientCredentials reads client_id/client_secret from HTTP Basic
// authentication or the body.
func clientCredentials(r *http.Request, p *Params) (id, secret string) {
	if u, pw, ok := r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(u)
		secret, _ = url.QueryUnescape(pw)
		return id, secret
	}
	return p.String("client_id"), p.String("client_secret")
}

// authenticateClient finds the client; secretOK reports whether a correct
// secret was presented (false when none was).
func (a *API) authenticateClient(ctx context.Context, r *http.Request, p *Params) (app *storage.Application, secretOK bool, err error) {
	id, secret := clientCredentials(r, p)
	if id == "" || len(id) > 256 {
		return nil, false, errInvalidClient
	}
	app, err = a.store.OAuth().GetApplicationByClientID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, errInvalidClient
	}
	if err != nil {
		return nil, false, fmt.Errorf("token: application: %w", err)
	}
	if secret == "" {
		return app, false, nil
	}
	if subtle.ConstantTimeCompare([]byte(HashToken(secret)), []byte(app.ClientSecretHash)) != 1 {
		return nil, false, errInvalidClient
	}
	return app, true, nil
}

func (a *API) token(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	ctx := r.Context()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	grant := p.String("grant_type")
	switch grant {
	case "authorization_code", "password", "client_credentials":
	case "":
		return oauthError(http.StatusBadRequest, "invalid_request", "The request is missing a required parameter: grant_type.")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "The authorization grant type is not supported by the authorization server.")
	}
	app, secretOK, err := a.authenticateClient(ctx, r, p)
	if err != nil {
		return err
	}
	var (
		accountID storage.ID
		scopes    Scopes
	)
	switch grant {
	case "authorization_code":
		code := p.String("code")
		if code == "" || len(code) > 256 {
			return errInvalidGrant
		}
		c, err := a.store.OAuth().ConsumeCode(ctx, HashToken(code))
		if errors.Is(err, storage.ErrNotFound) {
			return errInvalidGrant
		}
		if err != nil {
			return fmt.Errorf("token: consume code: %w", err)
		}
		if c.ApplicationID != app.ID || a.now().After(c.ExpiresAt) || p.String("redirect_uri") != c.RedirectURI {
			return errInvalidGrant
		}
		if c.CodeChallenge != "" {
			v := p.String("code_verifier")
			sum := sha256.Sum256([]byte(v))
			if !validVerifier(v) || subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(c.CodeChallenge)) != 1 {
				return errInvalidGrant
			}
		} else if !secretOK {
			return errInvalidClient // only PKCE lets a public client omit its secret
		}
		if _, _, err := a.loadUser(ctx, c.AccountID); err != nil {
			var ae *Error
			if errors.As(err, &ae) && ae.Status < 500 {
				return errInvalidGrant
			}
			return err
		}
		accountID, scopes = c.AccountID, Scopes(c.Scopes)
	case "password":
		if !secretOK {
			return errInvalidClient
		}
		if !a.limiter.allow(w, "auth-ip:"+a.ip(r), true) {
			return ErrTooManyRequests
		}
		if scopes, err = requestedScopes(p, app); err != nil {
			return err
		}
		_, acct, msg, err := a.checkPassword(ctx, p.String("username"), p.String("password"))
		if err != nil {
			return err
		}
		if msg != "" {
			return errInvalidGrant
		}
		accountID = acct.ID
	case "client_credentials":
		if !secretOK {
			return errInvalidClient
		}
		if scopes, err = requestedScopes(p, app); err != nil {
			return err
		}
	}
	plain, t, err := a.issueToken(ctx, a.store, app.ID, accountID, scopes)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, TokenToAPI(plain, t))
	return nil
}

// requestedScopes reads the scope parameter (default "read"), which the
// application's scopes must cover.
func requestedScopes(p *Params, app *storage.Application) (Scopes, error) {
	s := ParseScopes(strings.Join(p.Strings("scope"), " "))
	if len(s) == 0 {
		s = Scopes{"read"}
	}
	if !s.Valid() || !Scopes(app.Scopes).Covers(s) {
		return nil, errInvalidScope
	}
	return s, nil
}

// ---- POST /oauth/revoke ----

// revoke revokes a token of the calling client. As RFC 7009 asks, it answers
// 200 whether or not the token existed; a token of another client is left
// alone. A public client (no secret) may revoke its own tokens: holding the
// token is proof enough.
func (a *API) revoke(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	ctx := r.Context()
	tok := p.String("token")
	if app, _, err := a.authenticateClient(ctx, r, p); err == nil && tok != "" && len(tok) <= 512 {
		h := HashToken(tok)
		t, err := a.store.OAuth().GetToken(ctx, h)
		if err == nil && t.ApplicationID == app.ID {
			a.tokens.forget(h)
			if err := a.store.OAuth().RevokeToken(ctx, h); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return fmt.Errorf("revoke token: %w", err)
			}
			a.tokens.forget(h)
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("revoke token: %w", err)
		}
	} else if err != nil {
		var ae *Error
		if !errors.As(err, &ae) {
			return err
		}
	}
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// ---- discovery and userinfo ----

func (a *API) oauthMetadata(w http.ResponseWriter, r *http.Request) error {
	base := a.urls.Base()
	WriteJSON(w, http.StatusOK, map[string]any{
		"issuer":                                base + "/",
		"service_documentation":                 "https://docs.joinmastodon.org/",
		"authorization_endpoint":                base + "/oauth/authorize",
		"token_endpoint":                        base + "/oauth/token",
		"revocation_endpoint":                   base + "/oauth/revoke",
		"userinfo_endpoint":                     base + "/oauth/userinfo",
		"app_registration_endpoint":             base + "/api/v1/apps",
		"scopes_supported":                      knownScopes,
		"response_types_supported":              []string{"code"},
		"response_modes_supported":              []string{"query"},
		"grant_types_supported":                 []string{"authorization_code", "password", "client_credentials"},
		"code_challenge_methods_supported":      []string{"S256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post", "none"},
	})
	return nil
}

// userinfo answers the OpenID Connect UserInfo request for tokens with the
// profile scope.
func (a *API) userinfo(w http.ResponseWriter, r *http.Request) error {
	acct := AuthOf(r).Account
	out := AccountToAPI(acct, a.urls)
	WriteJSON(w, http.StatusOK, map[string]any{
		"iss":                a.urls.Base() + "/",
		"sub":                acct.URI,
		"name":               acct.DisplayName,
		"preferred_username": acct.Username,
		"profile":            out.URL,
		"picture":            out.Avatar,
	})
	return nil
}
