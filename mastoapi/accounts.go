package mastoapi

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/gorilla/mux"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func (a *API) verifyCredentials(w http.ResponseWriter, r *http.Request) error {
	au := AuthOf(r)
	// Pending follow requests: counted from one page, enough for a badge.
	reqs, err := a.store.Follows().Requests(r.Context(), au.Account.ID, storage.Page{Limit: storage.MaxLimit})
	if err != nil {
		return fmt.Errorf("verify credentials: follow requests: %w", err)
	}
	WriteJSON(w, http.StatusOK, CredentialAccountToAPI(au.Account, au.User, int64(len(reqs)), a.urls))
	return nil
}

// pathID parses the {id} path variable; an ID that cannot exist is a 404.
func pathID(r *http.Request, name string) (storage.ID, error) {
	id, err := storage.ParseID(mux.Vars(r)[name])
	if err != nil {
		return 0, ErrRecordNotFound
	}
	return id, nil
}

func (a *API) showAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	acct, err := a.store.Accounts().Get(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, AccountToAPI(acct, a.urls))
	return nil
}

// splitAcct splits "user", "@user", "user@host" or "@user@host" into a
// username and a domain ("" for this server).
func (a *API) splitAcct(acct string) (user, domain string) {
	acct = strings.TrimPrefix(strings.TrimSpace(acct), "@")
	user, domain, _ = strings.Cut(acct, "@")
	domain = strings.ToLower(domain)
	host := a.urls.Host()
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	if domain == host || domain == hostname {
		domain = ""
	}
	return user, domain
}

func (a *API) lookupAccount(w http.ResponseWriter, r *http.Request) error {
	acct := ParamsOf(r).String("acct")
	user, domain := a.splitAcct(acct)
	if user == "" || len(acct) > 512 {
		return ErrRecordNotFound
	}
	found, err := a.store.Accounts().GetByUsername(r.Context(), user, domain)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, AccountToAPI(found, a.urls))
	return nil
}

func (a *API) preferences(w http.ResponseWriter, r *http.Request) error {
	WriteJSON(w, http.StatusOK, PreferencesToAPI(AuthOf(r).User))
	return nil
}

// ---- sign-up ----

// signUpInput is what both sign-up forms collect.
type signUpInput struct {
	Username, Email, Password, Locale, Reason string
	Agreement                                 bool
	// IP is where the attempt comes from, for IP blocks (zero: unknown).
	IP netip.Addr
}

func signUpFrom(p *Params) signUpInput {
	return signUpInput{
		Username:  strings.TrimSpace(p.String("username")),
		Email:     strings.TrimSpace(p.String("email")),
		Password:  p.String("password"),
		Locale:    p.String("locale"),
		Reason:    strings.TrimSpace(p.String("reason")),
		Agreement: p.Bool("agreement", false),
	}
}

// signUp creates a user as the registration mode allows: approved at once
// when registrations are open, pending a moderator in approval mode.
func (a *API) signUp(ctx context.Context, in signUpInput) (*storage.Account, *storage.User, error) {
	if a.info.Registrations == RegistrationsClosed {
		return nil, nil, ErrNotAllowed
	}
	if !in.Agreement {
		return nil, nil, validationError("Agreement must be accepted")
	}
	if len(in.Locale) > 16 {
		in.Locale = ""
	}
	if len([]rune(in.Reason)) > 500 {
		return nil, nil, validationError("Reason is too long (maximum is 500 characters)")
	}
	// Sign-up protections: IP blocks (403 or approval), email domain and
	// canonical email blocks (422 ERR_BLOCKED).
	approval, err := social.CheckSignUp(ctx, a.store, in.Email, in.IP, a.now())
	if err != nil {
		return nil, nil, err
	}
	acct, u, err := social.CreateUser(ctx, a.store, a.urls, social.NewUser{
		Username: in.Username,
		Email:    in.Email,
		Password: in.Password,
		Approved: a.info.Registrations == RegistrationsOpen && !approval,
		Locale:   in.Locale,
		Reason:   in.Reason,
	})
	if err != nil {
		return nil, nil, err
	}
	a.log.Info("mastoapi: account signed up", "account_id", acct.ID, "approved", u.Approved)
	if a.svc != nil {
		// Staff learn of sign-ups (admin.sign_up); a failure here does
		// not undo the sign-up.
		if err := a.svc.NotifySignUp(ctx, acct); err != nil {
			a.log.Warn("mastoapi: notify sign-up", "account_id", acct.ID, "err", err)
		}
	}
	return acct, u, nil
}

// registerAccount is POST /api/v1/accounts: an app token with write:accounts
// creates a user and gets a token for it.
func (a *API) registerAccount(w http.ResponseWriter, r *http.Request) error {
	au := AuthOf(r)
	if au.Account != nil {
		return ErrNotAllowed // signed-in users do not sign up again
	}
	in := signUpFrom(ParamsOf(r))
	in.IP = a.clientAddr(r)
	acct, _, err := a.signUp(r.Context(), in)
	if err != nil {
		return err
	}
	plain, t, err := a.issueToken(r.Context(), a.store, au.Token.ApplicationID, acct.ID, au.Scopes)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, TokenToAPI(plain, t))
	return nil
}

func (a *API) signUpPage(w http.ResponseWriter, r *http.Request, status int, in signUpInput, errMsg string) error {
	d := &pageData{Title: "Sign up", CSRF: a.csrfToken(w, r), Action: "/auth/sign_up", Error: errMsg,
		Username: in.Username, Email: in.Email, Reason: in.Reason, Rules: a.info.Rules,
		Approval: a.info.Registrations == RegistrationsApproval}
	if a.info.Registrations == RegistrationsClosed {
		d.Closed = true
		d.Message = "Sign-ups on this server are closed."
		if a.info.RegistrationsMessage != "" {
			d.Message = a.info.RegistrationsMessage
		}
	}
	return a.renderPage(w, status, "sign_up", d)
}

func (a *API) signUpGet(w http.ResponseWriter, r *http.Request) error {
	return a.signUpPage(w, r, http.StatusOK, signUpInput{}, "")
}

func (a *API) signUpPost(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	in := signUpFrom(p)
	in.IP = a.clientAddr(r)
	if !a.checkCSRF(r, p) {
		return a.signUpPage(w, r, http.StatusForbidden, in, "This form has expired. Please try again.")
	}
	if a.info.Registrations == RegistrationsClosed {
		return a.signUpPage(w, r, http.StatusForbidden, in, "")
	}
	_, u, err := a.signUp(r.Context(), in)
	if err != nil {
		ae, unexpected := toAPIError(err)
		if unexpected {
			return err
		}
		return a.signUpPage(w, r, ae.Status, in, strings.TrimPrefix(ae.Message, "Validation failed: "))
	}
	msg := "Your account is ready. Sign in from your Mastodon app with your email address and password."
	if !u.Approved {
		msg = "Thank you for signing up. A moderator will review your request; you can sign in once it is approved."
	}
	return a.renderPage(w, http.StatusOK, "message", &pageData{Title: "Welcome", Message: msg})
}
