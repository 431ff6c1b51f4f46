package mastoapi_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
)

func pushKeys(t *testing.T) (p256dh, auth string) {
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	require.NoError(t, err)
	a := make([]byte, 16)
	_, _ = rand.Read(a)
	return base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes()), base64.RawURLEncoding.EncodeToString(a)
}

func TestPushSubscriptionAPI(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.Instance.VAPIDPublicKey = "BTestServerKey" })
	tok, _ := e.userToken("alice", "read write push")
	other, _ := e.userToken("bob", "read write push")
	noPush, _ := e.userToken("carol", "read write")
	const path = "/api/v1/push/subscription"
	e.getObj(path, tok, http.StatusNotFound)

	p256dh, auth := pushKeys(t)
	vs := url.Values{
		"subscription[endpoint]":      {"https://push.example/abc"},
		"subscription[keys][p256dh]":  {p256dh},
		"subscription[keys][auth]":    {auth},
		"subscription[standard]":      {"true"},
		"data[alerts][mention]":       {"true"},
		"data[alerts][follow]":        {"1"},
		"data[alerts][favourite]":     {"false"},
		"data[alerts][admin.sign_up]": {"true"},
		"data[policy]":                {"followed"},
	}
	s := e.postObj(path, tok, vs, http.StatusOK)
	assert.Equal(t, "https://push.example/abc", s["endpoint"])
	assert.Equal(t, "BTestServerKey", s["server_key"])
	assert.Equal(t, "followed", s["policy"])
	assert.Equal(t, true, s["standard"])
	alerts := s["alerts"].(obj)
	assert.Equal(t, true, alerts["mention"])
	assert.Equal(t, true, alerts["follow"])
	assert.Equal(t, false, alerts["favourite"])
	assert.Equal(t, false, alerts["reblog"], "absent alerts are off")
	assert.Equal(t, false, alerts["admin.sign_up"], "admin alerts are for staff only")

	assert.Equal(t, s["id"], e.getObj(path, tok, http.StatusOK)["id"])
	e.getObj(path, other, http.StatusNotFound) // one subscription per token
	e.getObj(path, noPush, http.StatusForbidden)

	up := e.call(http.MethodPut, path, tok, url.Values{"data[alerts][reblog]": {"true"}, "data[policy]": {"all"}}, http.StatusOK).(obj)
	assert.Equal(t, true, up["alerts"].(obj)["reblog"])
	assert.Equal(t, true, up["alerts"].(obj)["mention"], "alerts not given are kept")
	assert.Equal(t, "all", up["policy"])
	e.call(http.MethodPut, path, tok, url.Values{"data[policy]": {"everyone"}}, http.StatusUnprocessableEntity)

	// A new POST replaces the subscription of the token.
	vs.Set("subscription[endpoint]", "https://push.example/def")
	vs.Del("subscription[standard]")
	again := e.postObj(path, tok, vs, http.StatusOK)
	assert.Equal(t, s["id"], again["id"])
	assert.Equal(t, "https://push.example/def", again["endpoint"])
	assert.Equal(t, false, again["standard"])

	// Bad input.
	for name, mod := range map[string]func(url.Values){
		"no endpoint":  func(v url.Values) { v.Del("subscription[endpoint]") },
		"bad endpoint": func(v url.Values) { v.Set("subscription[endpoint]", "javascript:alert(1)") },
		"bad key":      func(v url.Values) { v.Set("subscription[keys][p256dh]", "AAAA") },
		"no auth":      func(v url.Values) { v.Del("subscription[keys][auth]") },
		"bad policy":   func(v url.Values) { v.Set("data[policy]", "nobody") },
	} {
		bad := url.Values{}
		for k, x := range vs {
			bad[k] = append([]string(nil), x...)
		}
		mod(bad)
		resp := e.postForm(path, bad, other)
		assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode, name)
		resp.Body.Close()
	}

	e.call(http.MethodDelete, path, tok, nil, http.StatusOK)
	e.getObj(path, tok, http.StatusNotFound)
	e.call(http.MethodDelete, path, tok, nil, http.StatusOK) // idempotent
}

func TestPushSubscriptionStaffAlertsAndNoVAPID(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.Instance.VAPIDPublicKey = "BKey" })
	tok, acct := e.userToken("admin", "push")
	u, err := e.store.Users().GetByAccountID(t.Context(), acct.ID)
	require.NoError(t, err)
	u.Role = storage.RoleAdmin
	require.NoError(t, e.store.Users().Update(t.Context(), u))
	p256dh, auth := pushKeys(t)
	s := e.postObj("/api/v1/push/subscription", tok, url.Values{
		"subscription[endpoint]": {"https://push.example/x"}, "subscription[keys][p256dh]": {p256dh},
		"subscription[keys][auth]": {auth}, "data[alerts][admin.report]": {"true"},
	}, http.StatusOK)
	assert.Equal(t, true, s["alerts"].(obj)["admin.report"])

	plain := newEnv(t, nil)
	tok2, _ := plain.userToken("alice", "push")
	plain.postObj("/api/v1/push/subscription", tok2, url.Values{
		"subscription[endpoint]": {"https://push.example/x"}, "subscription[keys][p256dh]": {p256dh}, "subscription[keys][auth]": {auth},
	}, http.StatusNotFound)
}
