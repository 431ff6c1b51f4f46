package mastoapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi/internal/openapitest"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

const adminScopes = "read write follow admin:read admin:write"

// staffToken creates a user with a role and a token with admin scopes.
func (e *env) staffToken(username string, role storage.Role) (string, *storage.Account) {
	e.t.Helper()
	a, u := e.createUser(username, "correct horse battery")
	u.Role = role
	require.NoError(e.t, e.store.Users().Update(context.Background(), u))
	app := e.registerApp(adminScopes)
	return e.passwordToken(app, username+"@example.com", "correct horse battery", adminScopes).AccessToken, a
}

// admin sends an admin API request (not in the OpenAPI paths), checks its
// status and validates the body against the named component (each item
// of a list), returning the decoded body.
func (e *env) admin(method, path, token string, vs url.Values, status int, component string) any {
	e.t.Helper()
	r := request{method: method, path: path, token: token}
	if vs != nil {
		if method == http.MethodGet {
			r.path += "?" + vs.Encode()
		} else {
			r.body, r.ctype = strings.NewReader(vs.Encode()), "application/x-www-form-urlencoded"
		}
	}
	resp := e.do(r)
	requireStatus(e.t, resp, status)
	b, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	var v any
	require.NoError(e.t, json.Unmarshal(b, &v), "body: %s", b)
	if component != "" && status < 300 {
		if list, ok := v.([]any); ok {
			for _, item := range list {
				ib, _ := json.Marshal(item)
				openapitest.ValidateComponent(e.t, component, ib)
			}
		} else {
			openapitest.ValidateComponent(e.t, component, b)
		}
	}
	return v
}

func TestAdminRequiresStaff(t *testing.T) {
	e := newEnv(t, nil)
	userTok, _ := e.staffToken("plain", storage.RoleUser)
	modTok, _ := e.staffToken("mod", storage.RoleModerator)
	readTok, _ := e.userToken("reader", "read write")
	for _, path := range []string{"/api/v1/admin/accounts", "/api/v2/admin/accounts", "/api/v1/admin/reports"} {
		e.admin(http.MethodGet, path, "", nil, http.StatusUnauthorized, "")
		e.admin(http.MethodGet, path, userTok, nil, http.StatusForbidden, "")
		e.admin(http.MethodGet, path, readTok, nil, http.StatusForbidden, "")
		e.admin(http.MethodGet, path, modTok, nil, http.StatusOK, "")
	}
	_, target := e.userToken("target", "read")
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+target.ID.String()+"/action", userTok, url.Values{"type": {"suspend"}}, http.StatusForbidden, "")
	assert.Nil(t, e.account(target.ID).SuspendedAt)
}

func (e *env) account(id storage.ID) *storage.Account {
	e.t.Helper()
	a, err := e.store.Accounts().Get(context.Background(), id)
	require.NoError(e.t, err)
	return a
}

func TestAdminAccountsAPI(t *testing.T) {
	e := newEnv(t, nil)
	modTok, mod := e.staffToken("mod", storage.RoleModerator)
	_, _ = e.staffToken("boss", storage.RoleAdmin)
	victimTok, victim := e.userToken("victim", "read write")
	pending, pu := e.createUser("pending", "correct horse battery")
	pu.Approved = false
	require.NoError(t, e.store.Users().Update(context.Background(), pu))
	remote := &storage.Account{Username: "far", Domain: "far.example", URI: "https://far.example/users/far"}
	require.NoError(t, e.store.Accounts().Create(context.Background(), remote))

	list := e.admin(http.MethodGet, "/api/v1/admin/accounts", modTok, nil, http.StatusOK, "AdminAccount").([]any)
	assert.Len(t, list, 5, "every account but the instance actor")
	pend := e.admin(http.MethodGet, "/api/v1/admin/accounts", modTok, url.Values{"pending": {"true"}}, http.StatusOK, "AdminAccount").([]any)
	require.Len(t, pend, 1)
	assert.Equal(t, pending.ID.String(), pend[0].(obj)["id"])
	assert.Equal(t, false, pend[0].(obj)["approved"])
	staff := e.admin(http.MethodGet, "/api/v2/admin/accounts", modTok, url.Values{"permissions": {"staff"}}, http.StatusOK, "AdminAccount").([]any)
	assert.Len(t, staff, 2)
	remotes := e.admin(http.MethodGet, "/api/v2/admin/accounts", modTok, url.Values{"origin": {"remote"}}, http.StatusOK, "AdminAccount").([]any)
	require.Len(t, remotes, 1)
	assert.Equal(t, "far.example", remotes[0].(obj)["domain"])
	owners := e.admin(http.MethodGet, "/api/v2/admin/accounts", modTok, url.Values{"role_ids[]": {"2"}}, http.StatusOK, "AdminAccount").([]any)
	require.Len(t, owners, 1)
	assert.Equal(t, "Admin", owners[0].(obj)["role"].(obj)["name"])
	e.admin(http.MethodGet, "/api/v2/admin/accounts", modTok, url.Values{"status": {"nonsense"}}, http.StatusUnprocessableEntity, "")
	paged := e.do(request{path: "/api/v2/admin/accounts?limit=2", token: modTok})
	requireStatus(t, paged, http.StatusOK)
	assert.Contains(t, paged.Header.Get("Link"), `rel="next"`)

	one := e.admin(http.MethodGet, "/api/v1/admin/accounts/"+victim.ID.String(), modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, "victim@example.com", one["email"])
	assert.Equal(t, "victim", one["account"].(obj)["username"])

	// Approve the pending sign-up.
	got := e.admin(http.MethodPost, "/api/v1/admin/accounts/"+pending.ID.String()+"/approve", modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, true, got["approved"])
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+pending.ID.String()+"/approve", modTok, nil, http.StatusUnprocessableEntity, "")

	// Silence, then suspend: the victim's token stops working and its
	// profile and statuses are gone for others.
	st := e.post(victimTok, "hello world")
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/action", modTok, url.Values{"type": {"silence"}, "text": {"shh"}}, http.StatusOK, "")
	got = e.admin(http.MethodGet, "/api/v1/admin/accounts/"+victim.ID.String(), modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, true, got["silenced"])
	assert.Equal(t, true, got["account"].(obj)["limited"])
	// The victim sees the warning.
	ns := e.getList("/api/v1/notifications", victimTok)
	require.Len(t, ns, 1)
	n := ns[0].(obj)
	assert.Equal(t, "moderation_warning", n["type"])
	openapitest.ValidateComponent(t, "AccountWarning", mustJSON(t, n["moderation_warning"]))
	assert.Equal(t, "silence", n["moderation_warning"].(obj)["action"])

	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/action", modTok, url.Values{"type": {"suspend"}}, http.StatusOK, "")
	resp := e.get("/api/v1/accounts/verify_credentials", victimTok)
	assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, resp.StatusCode, "a suspended account's token is refused")
	// As on Mastodon, the account shows as suspended with nothing else.
	shown := e.getObj("/api/v1/accounts/"+victim.ID.String(), "", http.StatusOK)
	assert.Equal(t, true, shown["suspended"])
	assert.Equal(t, "", shown["display_name"])
	assert.EqualValues(t, 0, shown["statuses_count"])
	requireStatus(t, e.get("/api/v1/statuses/"+st["id"].(string), ""), http.StatusNotFound)
	assert.Empty(t, e.getList("/api/v1/accounts/"+victim.ID.String()+"/statuses", ""))
	assert.NotContains(t, ids(e.getList("/api/v1/timelines/public", "")), st["id"])

	got = e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/unsuspend", modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, false, got["suspended"])
	requireStatus(t, e.get("/api/v1/statuses/"+st["id"].(string), ""), http.StatusOK)
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/unsilence", modTok, nil, http.StatusOK, "AdminAccount")

	// Sensitive: media render sensitive for others.
	got = e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/action", modTok, url.Values{"type": {"sensitive"}}, http.StatusOK, "").(obj)
	got = e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/unsensitive", modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, false, got["sensitized"])

	// Disable and enable.
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/action", modTok, url.Values{"type": {"disable"}}, http.StatusOK, "")
	got = e.admin(http.MethodGet, "/api/v1/admin/accounts/"+victim.ID.String(), modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, true, got["disabled"])
	app := e.registerApp("read")
	resp = e.postForm("/oauth/token", url.Values{"grant_type": {"password"}, "client_id": {app.ClientID}, "client_secret": {app.ClientSecret},
		"username": {"victim@example.com"}, "password": {"correct horse battery"}, "scope": {"read"}}, "")
	assert.GreaterOrEqual(t, resp.StatusCode, 400, "a disabled user cannot sign in")
	got = e.admin(http.MethodPost, "/api/v1/admin/accounts/"+victim.ID.String()+"/enable", modTok, nil, http.StatusOK, "AdminAccount").(obj)
	assert.Equal(t, false, got["disabled"])

	// Delete the data of a suspended remote account: admins only.
	bossTok, _ := e.staffToken("deleter", storage.RoleAdmin)
	e.admin(http.MethodDelete, "/api/v1/admin/accounts/"+remote.ID.String(), bossTok, nil, http.StatusUnprocessableEntity, "")
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+remote.ID.String()+"/action", modTok, url.Values{"type": {"suspend"}}, http.StatusOK, "")
	e.admin(http.MethodDelete, "/api/v1/admin/accounts/"+remote.ID.String(), modTok, nil, http.StatusForbidden, "")
	e.admin(http.MethodDelete, "/api/v1/admin/accounts/"+remote.ID.String(), bossTok, nil, http.StatusOK, "AdminAccount")

	// Every action is in the audit log.
	log, err := e.store.AuditLog().List(context.Background(), storage.AuditFilter{AccountID: mod.ID}, storage.Page{Limit: 100})
	require.NoError(t, err)
	assert.Len(t, log, 10, "the moderator's ten actions (the deletion is the admin's)")
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestReportsAPI(t *testing.T) {
	e := newEnv(t, nil)
	modTok, mod := e.staffToken("mod", storage.RoleModerator)
	repTok, _ := e.userToken("reporter", "read write")
	badTok, bad := e.userToken("bad", "read write")
	st := e.post(badTok, "rude words")
	rule, err := social.New(e.store, e.urls, nil).AddRule(context.Background(), nil, "Be kind", "really")
	require.NoError(t, err)

	// The rules are public, from the store.
	rules := e.getList("/api/v1/instance/rules", "")
	require.Len(t, rules, 1)
	assert.Equal(t, rule.ID.String(), rules[0].(obj)["id"])
	inst := e.getObj("/api/v2/instance", "", http.StatusOK)
	assert.Len(t, inst["rules"], 1)

	rep := e.postObj("/api/v1/reports", repTok, url.Values{"account_id": {bad.ID.String()}, "status_ids[]": {st["id"].(string)},
		"comment": {"not nice"}, "rule_ids[]": {rule.ID.String()}, "category": {"violation"}}, http.StatusOK)
	assert.Equal(t, "violation", rep["category"])
	assert.Equal(t, []any{st["id"]}, rep["status_ids"])
	assert.Equal(t, []any{rule.ID.String()}, rep["rule_ids"])
	assert.Equal(t, false, rep["action_taken"])
	assert.Equal(t, bad.ID.String(), rep["target_account"].(obj)["id"])
	e.postObj("/api/v1/reports", repTok, url.Values{"account_id": {"12345"}}, http.StatusNotFound)
	e.postObj("/api/v1/reports", repTok, url.Values{"account_id": {bad.ID.String()}, "category": {"bogus"}}, http.StatusUnprocessableEntity)

	// Staff are notified.
	ns := e.getList("/api/v1/notifications", modTok)
	require.Len(t, ns, 1)
	n := ns[0].(obj)
	assert.Equal(t, "admin.report", n["type"])
	assert.Equal(t, rep["id"], n["report"].(obj)["id"])
	openapitest.ValidateComponent(t, "Report", mustJSON(t, n["report"]))

	// Moderators handle it.
	id := rep["id"].(string)
	list := e.admin(http.MethodGet, "/api/v1/admin/reports", modTok, nil, http.StatusOK, "AdminReport").([]any)
	require.Len(t, list, 1)
	r := list[0].(obj)
	assert.Len(t, r["statuses"], 1)
	assert.Len(t, r["rules"], 1)
	assert.Equal(t, "reporter", r["account"].(obj)["username"])
	e.admin(http.MethodGet, "/api/v1/admin/reports", modTok, url.Values{"target_account_id": {mod.ID.String()}}, http.StatusOK, "")
	r = e.admin(http.MethodPost, "/api/v1/admin/reports/"+id+"/assign_to_self", modTok, nil, http.StatusOK, "AdminReport").(obj)
	assert.Equal(t, "mod", r["assigned_account"].(obj)["username"])
	r = e.admin(http.MethodPost, "/api/v1/admin/reports/"+id+"/unassign", modTok, nil, http.StatusOK, "AdminReport").(obj)
	assert.Nil(t, r["assigned_account"])
	r = e.admin(http.MethodPut, "/api/v1/admin/reports/"+id, modTok, url.Values{"category": {"spam"}}, http.StatusOK, "AdminReport").(obj)
	assert.Equal(t, "spam", r["category"])
	assert.Empty(t, r["rules"])
	r = e.admin(http.MethodPost, "/api/v1/admin/reports/"+id+"/resolve", modTok, nil, http.StatusOK, "AdminReport").(obj)
	assert.Equal(t, true, r["action_taken"])
	assert.Equal(t, "mod", r["action_taken_by_account"].(obj)["username"])
	assert.Empty(t, e.admin(http.MethodGet, "/api/v1/admin/reports", modTok, nil, http.StatusOK, "").([]any), "resolved reports are not listed by default")
	assert.Len(t, e.admin(http.MethodGet, "/api/v1/admin/reports", modTok, url.Values{"resolved": {"true"}}, http.StatusOK, "").([]any), 1)
	r = e.admin(http.MethodPost, "/api/v1/admin/reports/"+id+"/reopen", modTok, nil, http.StatusOK, "AdminReport").(obj)
	assert.Equal(t, false, r["action_taken"])
	e.admin(http.MethodGet, "/api/v1/admin/reports/999", modTok, nil, http.StatusNotFound, "")

	// An action answering the report resolves it.
	e.admin(http.MethodPost, "/api/v1/admin/accounts/"+bad.ID.String()+"/action", modTok, url.Values{"type": {"none"}, "report_id": {id}, "text": {"be nice"}}, http.StatusOK, "")
	r = e.admin(http.MethodGet, "/api/v1/admin/reports/"+id, modTok, nil, http.StatusOK, "AdminReport").(obj)
	assert.Equal(t, true, r["action_taken"])
}

func TestSignUpNotifiesStaff(t *testing.T) {
	e := newEnv(t, nil)
	modTok, _ := e.staffToken("mod", storage.RoleModerator)
	app := e.registerApp("read write")
	tok := decode[tokenResp](t, e.postForm("/oauth/token", url.Values{"grant_type": {"client_credentials"}, "client_id": {app.ClientID},
		"client_secret": {app.ClientSecret}, "scope": {"read write"}}, ""))
	resp := e.postForm("/api/v1/accounts", url.Values{"username": {"newbie"}, "email": {"newbie@example.com"},
		"password": {"correct horse battery"}, "agreement": {"true"}}, tok.AccessToken)
	requireStatus(t, resp, http.StatusOK)
	ns := e.getList("/api/v1/notifications", modTok)
	require.Len(t, ns, 1)
	assert.Equal(t, "admin.sign_up", ns[0].(obj)["type"])
	assert.Equal(t, "newbie", ns[0].(obj)["account"].(obj)["username"])
}
