package mastoapi

import (
	"crypto/ecdh"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"

	"github.com/herd-social/herd/storage"
)

// pushAlertTypes are the alerts of a WebPushSubscription, as Mastodon lists
// them; the admin ones are kept only for staff.
var pushAlertTypes = []string{"mention", "status", "reblog", "follow", "follow_request", "favourite", "poll", "update", "admin.sign_up", "admin.report", "quote"}

// WebPushSubscription is the Mastodon entity of a push subscription.
type WebPushSubscription struct {
	ID        string          `json:"id"`
	Endpoint  string          `json:"endpoint"`
	Standard  bool            `json:"standard"`
	Alerts    map[string]bool `json:"alerts"`
	Policy    string          `json:"policy"`
	ServerKey string          `json:"server_key"`
}

// registerPushRoutes declares the Web Push subscription endpoints. They
// work whether or not the server sends pushes (a server without a VAPID
// key answers 404 like Mastodon without one).
func (a *API) registerPushRoutes() {
	o := RouteOptions{Auth: AuthUser, Scopes: []string{"push"}}
	const path = "/api/v1/push/subscription"
	a.Handle(http.MethodPost, path, o, a.createPushSubscription)
	a.Handle(http.MethodGet, path, o, a.showPushSubscription)
	a.Handle(http.MethodPut, path, o, a.updatePushSubscription)
	a.Handle(http.MethodDelete, path, o, a.deletePushSubscription)
}

func (a *API) pushEntity(s *storage.PushSubscription) *WebPushSubscription {
	alerts := make(map[string]bool, len(pushAlertTypes))
	for _, t := range pushAlertTypes {
		alerts[t] = s.Alerts[t]
	}
	return &WebPushSubscription{
		ID: s.ID.String(), Endpoint: s.Endpoint, Standard: s.Standard, Alerts: alerts,
		Policy: s.Policy, ServerKey: a.info.VAPIDPublicKey,
	}
}

// pushData reads data[alerts][…] and data[policy] onto s.
func pushData(au *Auth, p *Params, s *storage.PushSubscription) error {
	data := p.Sub("data")
	if pol, ok := data.Lookup("policy"); ok {
		switch pol {
		case storage.PushPolicyAll, storage.PushPolicyFollowed, storage.PushPolicyFollower, storage.PushPolicyNone:
			s.Policy = pol
		default:
			return fieldError("policy", "is not included in the list")
		}
	}
	alerts := data.Sub("alerts")
	if s.Alerts == nil {
		s.Alerts = storage.PushAlerts{}
	}
	staff := au.User != nil && au.User.Role.AtLeast(storage.RoleModerator)
	for _, t := range pushAlertTypes {
		if !alerts.Has(t) {
			continue
		}
		on := alerts.Bool(t, false)
		if (t == "admin.sign_up" || t == "admin.report") && !staff {
			on = false // as Mastodon: only staff receive them
		}
		s.Alerts[t] = on
	}
	return nil
}

func (a *API) createPushSubscription(w http.ResponseWriter, r *http.Request) error {
	if a.info.VAPIDPublicKey == "" {
		return ErrRecordNotFound
	}
	au, p := AuthOf(r), ParamsOf(r)
	sub := p.Sub("subscription")
	keys := sub.Sub("keys")
	s := &storage.PushSubscription{
		TokenID: au.Token.ID, AccountID: au.AccountID(),
		Endpoint:  sub.String("endpoint"),
		KeyP256DH: keys.String("p256dh"),
		KeyAuth:   keys.String("auth"),
		Standard:  sub.Bool("standard", false),
		Policy:    storage.PushPolicyAll,
	}
	if u, err := url.Parse(s.Endpoint); s.Endpoint == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fieldError("endpoint", "is not a valid URL")
	}
	if !validP256DH(s.KeyP256DH) {
		return fieldError("key_p256dh", "is not a valid P-256 public key")
	}
	if b, ok := decodeKey(s.KeyAuth); !ok || len(b) < 8 {
		return fieldError("key_auth", "is not a valid auth secret")
	}
	if err := pushData(au, p, s); err != nil {
		return err
	}
	if err := a.store.PushSubscriptions().Put(r.Context(), s); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.pushEntity(s))
	return nil
}

func (a *API) showPushSubscription(w http.ResponseWriter, r *http.Request) error {
	s, err := a.store.PushSubscriptions().GetByToken(r.Context(), AuthOf(r).Token.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return ErrRecordNotFound
	}
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.pushEntity(s))
	return nil
}

func (a *API) updatePushSubscription(w http.ResponseWriter, r *http.Request) error {
	au := AuthOf(r)
	s, err := a.store.PushSubscriptions().GetByToken(r.Context(), au.Token.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return ErrRecordNotFound
	}
	if err != nil {
		return err
	}
	if err := pushData(au, ParamsOf(r), s); err != nil {
		return err
	}
	if err := a.store.PushSubscriptions().Update(r.Context(), s); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, a.pushEntity(s))
	return nil
}

func (a *API) deletePushSubscription(w http.ResponseWriter, r *http.Request) error {
	err := a.store.PushSubscriptions().DeleteByToken(r.Context(), AuthOf(r).Token.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// decodeKey reads a base64url (or standard base64) key, padded or not.
func decodeKey(s string) ([]byte, bool) {
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.StdEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

// validP256DH reports whether s is an uncompressed P-256 point.
func validP256DH(s string) bool {
	b, ok := decodeKey(s)
	if !ok {
		return false
	}
	_, err := ecdh.P256().NewPublicKey(b)
	return err == nil
}
