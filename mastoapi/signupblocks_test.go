package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// testIPHeader carries the client address in these tests (Options.ClientIP).
const testIPHeader = "X-Test-Client-IP"

func newIPEnv(t *testing.T) *env {
	return newEnv(t, func(o *mastoapi.Options) {
		o.ClientIP = func(r *http.Request) string {
			if ip := r.Header.Get(testIPHeader); ip != "" {
				return ip
			}
			return "127.0.0.1"
		}
	})
}

// signUpFrom posts a sign-up with an app token from ip.
func (e *env) signUpFrom(ip, username, email string) *http.Response {
	e.t.Helper()
	app := e.registerApp("read write")
	tok := decode[tokenResp](e.t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "scope": {"read write"}}, ""))
	vs := url.Values{"username": {username}, "email": {email}, "password": {"correct horse battery"}, "agreement": {"true"}}
	return e.do(request{method: http.MethodPost, path: "/api/v1/accounts", body: strings.NewReader(vs.Encode()),
		ctype: "application/x-www-form-urlencoded", token: tok.AccessToken, header: map[string]string{testIPHeader: ip}})
}

func TestAdminSignUpBlocksPermissions(t *testing.T) {
	e := newEnv(t, nil)
	modTok, _ := e.staffToken("mod", storage.RoleModerator)
	userTok, _ := e.staffToken("plain", storage.RoleUser)
	for _, path := range []string{"/api/v1/admin/email_domain_blocks", "/api/v1/admin/ip_blocks", "/api/v1/admin/canonical_email_blocks"} {
		e.admin(http.MethodGet, path, "", nil, http.StatusUnauthorized, "")
		e.admin(http.MethodGet, path, userTok, nil, http.StatusForbidden, "")
		e.admin(http.MethodGet, path, modTok, nil, http.StatusForbidden, "")
		e.admin(http.MethodPost, path, modTok, url.Values{"domain": {"x.example"}, "ip": {"192.0.2.1"}, "severity": {"no_access"},
			"email": {"x@example.com"}}, http.StatusForbidden, "")
	}
	e.admin(http.MethodPost, "/api/v1/admin/canonical_email_blocks/test", modTok, url.Values{"email": {"x@example.com"}}, http.StatusForbidden, "")
	// A read-only admin token may not write.
	ro, _ := e.staffTokenScoped("ro", storage.RoleAdmin, "admin:read:ip_blocks")
	e.admin(http.MethodGet, "/api/v1/admin/ip_blocks", ro, nil, http.StatusOK, "")
	e.admin(http.MethodPost, "/api/v1/admin/ip_blocks", ro, url.Values{"ip": {"192.0.2.1"}, "severity": {"no_access"}}, http.StatusForbidden, "")
	e.admin(http.MethodGet, "/api/v1/admin/email_domain_blocks", ro, nil, http.StatusForbidden, "")
}

func TestAdminEmailDomainBlocks(t *testing.T) {
	e := newEnv(t, nil)
	adm, _ := e.staffToken("adm", storage.RoleAdmin)
	const path = "/api/v1/admin/email_domain_blocks"
	b := e.admin(http.MethodPost, path, adm, url.Values{"domain": {"Spam.Example"}}, http.StatusOK, "AdminEmailDomainBlock").(obj)
	assert.Equal(t, "spam.example", b["domain"])
	hist := b["history"].([]any)
	require.Len(t, hist, 7)
	day := time.Now().UTC().Truncate(24 * time.Hour).Unix()
	assert.Equal(t, obj{"day": itoa(day), "accounts": "0", "uses": "0"}, hist[0])
	dup := e.admin(http.MethodPost, path, adm, url.Values{"domain": {"spam.example"}}, http.StatusUnprocessableEntity, "").(obj)
	assert.Equal(t, "Validation failed: Domain has already been taken", dup["error"])
	e.admin(http.MethodPost, path, adm, url.Values{}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"domain": {"not a domain"}}, http.StatusUnprocessableEntity, "")
	b2 := e.admin(http.MethodPost, path, adm, url.Values{"domain": {"other.example"}}, http.StatusOK, "AdminEmailDomainBlock").(obj)

	got := e.admin(http.MethodGet, path+"/"+b["id"].(string), adm, nil, http.StatusOK, "AdminEmailDomainBlock").(obj)
	assert.Equal(t, b, got)
	resp := e.get(path+"?limit=1", adm)
	requireStatus(t, resp, http.StatusOK)
	assert.Contains(t, resp.Header.Get("Link"), "max_id="+b2["id"].(string))
	list := decode[[]obj](t, resp)
	require.Len(t, list, 1)
	assert.Equal(t, b2["id"], list[0]["id"])

	assert.Equal(t, obj{}, e.admin(http.MethodDelete, path+"/"+b["id"].(string), adm, nil, http.StatusOK, ""))
	e.admin(http.MethodGet, path+"/"+b["id"].(string), adm, nil, http.StatusNotFound, "")
	e.admin(http.MethodDelete, path+"/"+b["id"].(string), adm, nil, http.StatusNotFound, "")
	assert.Equal(t, []string{"email_domain_block.delete", "email_domain_block.create", "email_domain_block.create"}, e.auditActions())
}

func TestAdminIPBlocks(t *testing.T) {
	e := newEnv(t, nil)
	adm, _ := e.staffToken("adm", storage.RoleAdmin)
	const path = "/api/v1/admin/ip_blocks"
	b := e.admin(http.MethodPost, path, adm, url.Values{"ip": {"192.0.2.9/24"}, "severity": {"sign_up_requires_approval"},
		"comment": {"bots"}, "expires_in": {"3600"}}, http.StatusOK, "AdminIpBlock").(obj)
	assert.Equal(t, "192.0.2.0/24", b["ip"])
	assert.Equal(t, "bots", b["comment"])
	require.NotNil(t, b["expires_at"])
	exp, err := time.Parse(time.RFC3339, b["expires_at"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, time.Now().Add(time.Hour), exp, time.Minute)

	e.admin(http.MethodPost, path, adm, url.Values{"ip": {"192.0.2.0/24"}, "severity": {"no_access"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"ip": {"nonsense"}, "severity": {"no_access"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"ip": {"198.51.100.1"}, "severity": {"nuke"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"ip": {"198.51.100.1"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"ip": {"198.51.100.1"}, "severity": {"no_access"}, "expires_in": {"soon"}}, http.StatusUnprocessableEntity, "")
	one := e.admin(http.MethodPost, path, adm, url.Values{"ip": {"2001:db8::1"}, "severity": {"sign_up_block"}}, http.StatusOK, "AdminIpBlock").(obj)
	assert.Equal(t, "2001:db8::1/128", one["ip"])
	assert.Nil(t, one["expires_at"])
	assert.Equal(t, "", one["comment"])

	id := b["id"].(string)
	up := e.admin(http.MethodPut, path+"/"+id, adm, url.Values{"severity": {"sign_up_block"}, "expires_in": {""}}, http.StatusOK, "AdminIpBlock").(obj)
	assert.Equal(t, "sign_up_block", up["severity"])
	assert.Equal(t, "bots", up["comment"], "unchanged")
	assert.Nil(t, up["expires_at"], "expiry cleared")
	e.admin(http.MethodPut, path+"/"+id, adm, url.Values{"ip": {"2001:db8::1"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPut, path+"/999", adm, url.Values{"severity": {"no_access"}}, http.StatusNotFound, "")

	got := e.admin(http.MethodGet, path+"/"+id, adm, nil, http.StatusOK, "AdminIpBlock").(obj)
	assert.Equal(t, up, got)
	list := e.admin(http.MethodGet, path, adm, nil, http.StatusOK, "AdminIpBlock").([]any)
	require.Len(t, list, 2)
	assert.Equal(t, one["id"], list[0].(obj)["id"], "newest first")
	e.admin(http.MethodDelete, path+"/"+one["id"].(string), adm, nil, http.StatusOK, "")
	assert.Len(t, e.admin(http.MethodGet, path, adm, nil, http.StatusOK, "AdminIpBlock").([]any), 1)
	assert.Equal(t, []string{"ip_block.delete", "ip_block.update", "ip_block.create", "ip_block.create"}, e.auditActions())
}

func TestAdminCanonicalEmailBlocks(t *testing.T) {
	e := newEnv(t, nil)
	adm, _ := e.staffToken("adm", storage.RoleAdmin)
	const path = "/api/v1/admin/canonical_email_blocks"
	b := e.admin(http.MethodPost, path, adm, url.Values{"email": {"Bad.Guy+spam@Mail.Test"}}, http.StatusOK, "AdminCanonicalEmailBlock").(obj)
	assert.Equal(t, social.CanonicalEmailHash("badguy@mail.test"), b["canonical_email_hash"])
	hash := strings.Repeat("0a", 32)
	h := e.admin(http.MethodPost, path, adm, url.Values{"canonical_email_hash": {hash}}, http.StatusOK, "AdminCanonicalEmailBlock").(obj)
	assert.Equal(t, hash, h["canonical_email_hash"])
	e.admin(http.MethodPost, path, adm, url.Values{"email": {"badguy@mail.test"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{"canonical_email_hash": {"abc"}}, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, path, adm, url.Values{}, http.StatusUnprocessableEntity, "")

	found := e.admin(http.MethodPost, path+"/test", adm, url.Values{"email": {"b.a.d.g.u.y@mail.test"}}, http.StatusOK, "AdminCanonicalEmailBlock").([]any)
	require.Len(t, found, 1)
	assert.Equal(t, b["id"], found[0].(obj)["id"])
	assert.Empty(t, e.admin(http.MethodPost, path+"/test", adm, url.Values{"email": {"good@mail.test"}}, http.StatusOK, "").([]any))
	e.admin(http.MethodPost, path+"/test", adm, url.Values{}, http.StatusUnprocessableEntity, "")

	assert.Equal(t, b, e.admin(http.MethodGet, path+"/"+b["id"].(string), adm, nil, http.StatusOK, "AdminCanonicalEmailBlock"))
	assert.Len(t, e.admin(http.MethodGet, path, adm, nil, http.StatusOK, "AdminCanonicalEmailBlock").([]any), 2)
	e.admin(http.MethodDelete, path+"/"+h["id"].(string), adm, nil, http.StatusOK, "")
	e.admin(http.MethodGet, path+"/"+h["id"].(string), adm, nil, http.StatusNotFound, "")
	assert.Equal(t, []string{"canonical_email_block.delete", "canonical_email_block.create", "canonical_email_block.create"}, e.auditActions())
}

func TestSignUpProtections(t *testing.T) {
	e := newIPEnv(t)
	adm, _ := e.staffToken("adm", storage.RoleAdmin)
	e.admin(http.MethodPost, "/api/v1/admin/email_domain_blocks", adm, url.Values{"domain": {"spam.example"}}, http.StatusOK, "")
	e.admin(http.MethodPost, "/api/v1/admin/canonical_email_blocks", adm, url.Values{"email": {"bad.guy@mail.test"}}, http.StatusOK, "")
	e.admin(http.MethodPost, "/api/v1/admin/ip_blocks", adm, url.Values{"ip": {"192.0.2.0/24"}, "severity": {"sign_up_requires_approval"}}, http.StatusOK, "")
	e.admin(http.MethodPost, "/api/v1/admin/ip_blocks", adm, url.Values{"ip": {"192.0.2.128/25"}, "severity": {"sign_up_block"}}, http.StatusOK, "")
	e.admin(http.MethodPost, "/api/v1/admin/ip_blocks", adm, url.Values{"ip": {"198.51.100.0/24"}, "severity": {"no_access"}}, http.StatusOK, "")

	blocked := func(resp *http.Response) {
		t.Helper()
		requireStatus(t, e.validate(resp), http.StatusUnprocessableEntity)
		body := decode[obj](t, resp)
		assert.Equal(t, "Validation failed: Email uses a disallowed e-mail provider", body["error"])
		assert.Equal(t, "ERR_BLOCKED", body["details"].(obj)["email"].([]any)[0].(obj)["error"])
	}
	blocked(e.signUpFrom("203.0.113.1", "s1", "me@spam.example"))
	blocked(e.signUpFrom("203.0.113.1", "s2", "me@mx.deep.SPAM.example"))
	blocked(e.signUpFrom("203.0.113.1", "s3", "BadGuy+again@mail.test"))
	requireStatus(t, e.signUpFrom("203.0.113.1", "fine", "me@notspam.example"), http.StatusOK)

	// IP ranges: approval, sign-up block (403, as Mastodon's
	// NotPermittedError), no access at all.
	requireStatus(t, e.signUpFrom("192.0.2.7", "pending", "pending@example.com"), http.StatusOK)
	ctx := context.Background()
	pa, err := e.store.Accounts().GetByUsername(ctx, "pending", "")
	require.NoError(t, err)
	pu, err := e.store.Users().GetByAccountID(ctx, pa.ID)
	require.NoError(t, err)
	assert.False(t, pu.Approved, "sign_up_requires_approval leaves the account pending")
	fu, err := e.store.Users().GetByEmail(ctx, "me@notspam.example")
	require.NoError(t, err)
	assert.True(t, fu.Approved)
	resp := e.signUpFrom("192.0.2.200", "nope", "nope@example.com")
	requireStatus(t, resp, http.StatusForbidden)
	assert.Equal(t, "This action is not allowed", decode[oauthErr](t, resp).Error)

	noAccess := func(ip string) int {
		resp := e.do(request{path: "/api/v1/instance", header: map[string]string{testIPHeader: ip}})
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusForbidden, noAccess("198.51.100.33"))
	assert.Equal(t, http.StatusForbidden, noAccess("::ffff:198.51.100.33"))
	assert.Equal(t, http.StatusOK, noAccess("192.0.2.200"), "sign-up blocks do not deny access")
	assert.Equal(t, http.StatusOK, noAccess("203.0.113.1"))

	// A block written behind the API's back applies once the cache expires.
	require.NoError(t, e.store.IPBlocks().Create(ctx, &storage.IPBlock{IP: "203.0.113.0/24", Severity: storage.IPNoAccess}))
	assert.Equal(t, http.StatusOK, noAccess("203.0.113.1"), "cached")
	e.clock.Advance(mastoapi.IPBlockCacheTTL + time.Second)
	assert.Equal(t, http.StatusForbidden, noAccess("203.0.113.1"))
	assert.Equal(t, http.StatusOK, noAccess("127.0.0.1"))

	// The HTML sign-up form shows the same refusal.
	b := e.browser()
	_, html := getPage(t, b, e.url("/auth/sign_up"))
	f := formFields(t, html)
	f.Set("username", "webby")
	f.Set("email", "webby@spam.example")
	f.Set("password", "correct horse battery")
	f.Set("agreement", "1")
	resp, html = postPage(t, b, e.url("/auth/sign_up"), f)
	assert.Equal(t, http.StatusUnprocessableEntity, resp.StatusCode)
	assert.Contains(t, html, "Email uses a disallowed e-mail provider")
}

// auditActions lists the audit log's actions, newest first.
func (e *env) auditActions() []string {
	e.t.Helper()
	es, err := e.store.AuditLog().List(context.Background(), storage.AuditFilter{}, storage.Page{Limit: 100})
	require.NoError(e.t, err)
	out := []string{}
	for _, x := range es {
		out = append(out, x.Action)
	}
	return out
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
