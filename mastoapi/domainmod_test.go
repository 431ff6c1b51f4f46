package mastoapi_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/storage"
)

// staffToken creates a user with role and a token with scope.
func (e *env) staffTokenScoped(username string, role storage.Role, scope string) (string, *storage.Account) {
	e.t.Helper()
	a, u := e.createUser(username, "correct horse battery")
	u.Role = role
	require.NoError(e.t, e.store.Users().Update(context.Background(), u))
	app := e.registerApp("read write follow admin:read admin:write")
	return e.passwordToken(app, username+"@example.com", "correct horse battery", scope).AccessToken, a
}

func (e *env) put(path string, vs url.Values, token string) *http.Response {
	return e.do(request{method: http.MethodPut, path: path, body: stringsReader(vs.Encode()), ctype: "application/x-www-form-urlencoded", token: token})
}

func (e *env) delete(path, token string) *http.Response {
	return e.do(request{method: http.MethodDelete, path: path, token: token})
}

func TestAdminDomainBlocks(t *testing.T) {
	e := newEnv(t, func(o *mastoapi.Options) { o.DomainBlocksVisibility = mastoapi.DomainBlocksUsers })
	mod, _ := e.staffTokenScoped("mod", storage.RoleAdmin, "read write admin:read admin:write")
	user, alice := e.staffTokenScoped("alice", storage.RoleUser, "read write admin:read admin:write")
	readOnly, _ := e.staffTokenScoped("ro", storage.RoleAdmin, "admin:read:domain_blocks")

	// The domain's account followed alice: a suspension severs it.
	ctx := context.Background()
	r := &storage.Account{Username: "r", Domain: "evil.example", URI: "https://evil.example/users/r"}
	require.NoError(t, e.store.Accounts().Create(ctx, r))
	require.NoError(t, e.store.Follows().Create(ctx, &storage.Follow{AccountID: r.ID, TargetAccountID: alice.ID}))

	requireStatus(t, e.postForm("/api/v1/admin/domain_blocks", url.Values{"domain": {"evil.example"}}, user), http.StatusForbidden)
	requireStatus(t, e.postForm("/api/v1/admin/domain_blocks", url.Values{"domain": {"evil.example"}}, readOnly), http.StatusForbidden)
	requireStatus(t, e.get("/api/v1/admin/domain_blocks", ""), http.StatusUnauthorized)

	resp := e.postForm("/api/v1/admin/domain_blocks", url.Values{"domain": {"Evil.Example"}, "severity": {"suspend"},
		"reject_media": {"true"}, "private_comment": {"spam"}, "public_comment": {"spam wave"}, "obfuscate": {"true"}}, mod)
	requireStatus(t, resp, http.StatusOK)
	b := decode[adminBlock](t, resp)
	assert.Equal(t, "evil.example", b.Domain)
	assert.Equal(t, "suspend", b.Severity)
	assert.True(t, b.RejectMedia)
	assert.False(t, b.RejectReports)
	assert.True(t, b.Obfuscate)
	assert.Equal(t, "spam", *b.PrivateComment)
	assert.Len(t, b.Digest, 64)

	resp = e.postForm("/api/v1/admin/domain_blocks", url.Values{"domain": {"evil.example"}}, mod)
	requireStatus(t, resp, http.StatusUnprocessableEntity)
	dup := decode[map[string]any](t, resp)
	assert.Equal(t, b.ID, dup["existing_domain_block"].(map[string]any)["id"])
	requireStatus(t, e.postForm("/api/v1/admin/domain_blocks", url.Values{"domain": {"x.example"}, "severity": {"nuke"}}, mod), http.StatusUnprocessableEntity)

	got := decode[adminBlock](t, e.get("/api/v1/admin/domain_blocks/"+b.ID, readOnly))
	assert.Equal(t, b, got)
	list := decode[[]adminBlock](t, e.get("/api/v1/admin/domain_blocks", mod))
	require.Len(t, list, 1)

	resp = e.put("/api/v1/admin/domain_blocks/"+b.ID, url.Values{"severity": {"silence"}, "reject_reports": {"1"}}, mod)
	requireStatus(t, resp, http.StatusOK)
	up := decode[adminBlock](t, resp)
	assert.Equal(t, "silence", up.Severity)
	assert.True(t, up.RejectMedia, "unchanged fields kept")
	assert.True(t, up.RejectReports)

	// The public list: users only here, obfuscated, validated by the schema.
	requireStatus(t, e.get("/api/v1/instance/domain_blocks", ""), http.StatusNotFound)
	resp = e.validate(e.get("/api/v1/instance/domain_blocks", user))
	requireStatus(t, resp, http.StatusOK)
	pub := decode[[]publicBlock](t, resp)
	require.Len(t, pub, 1)
	assert.Equal(t, "evil.****ple", pub[0].Domain)
	assert.Equal(t, b.Digest, pub[0].Digest)
	assert.Equal(t, "spam wave", *pub[0].Comment)

	// alice lost a follower and was told so.
	resp = e.get("/api/v1/severed_relationships", user)
	requireStatus(t, resp, http.StatusOK)
	sev := decode[[]severance](t, resp)
	require.Len(t, sev, 1)
	assert.Equal(t, "domain_block", sev[0].Type)
	assert.Equal(t, "evil.example", sev[0].TargetName)
	assert.Equal(t, int64(1), sev[0].FollowersCount)
	resp = e.validate(e.get("/api/v1/notifications", user))
	requireStatus(t, resp, http.StatusOK)
	ns := decode[[]map[string]any](t, resp)
	require.Len(t, ns, 1)
	assert.Equal(t, "severed_relationships", ns[0]["type"])
	assert.Equal(t, sev[0].ID, ns[0]["event"].(map[string]any)["id"])

	requireStatus(t, e.delete("/api/v1/admin/domain_blocks/"+b.ID, mod), http.StatusOK)
	requireStatus(t, e.get("/api/v1/admin/domain_blocks/"+b.ID, mod), http.StatusNotFound)
	requireStatus(t, e.delete("/api/v1/admin/domain_blocks/"+b.ID, mod), http.StatusNotFound)
}

func TestAdminDomainAllows(t *testing.T) {
	e := newEnv(t, nil)
	mod, _ := e.staffTokenScoped("mod", storage.RoleAdmin, "admin:read:domain_allows admin:write:domain_allows")
	user, _ := e.staffTokenScoped("alice", storage.RoleUser, "read write admin:read admin:write")
	requireStatus(t, e.get("/api/v1/admin/domain_allows", user), http.StatusForbidden)
	resp := e.postForm("/api/v1/admin/domain_allows", url.Values{"domain": {"Friends.Example"}}, mod)
	requireStatus(t, resp, http.StatusOK)
	a := decode[adminAllow](t, resp)
	assert.Equal(t, "friends.example", a.Domain)
	again := decode[adminAllow](t, e.postForm("/api/v1/admin/domain_allows", url.Values{"domain": {"friends.example"}}, mod))
	assert.Equal(t, a.ID, again.ID)
	assert.Equal(t, a, decode[adminAllow](t, e.get("/api/v1/admin/domain_allows/"+a.ID, mod)))
	assert.Len(t, decode[[]adminAllow](t, e.get("/api/v1/admin/domain_allows", mod)), 1)
	requireStatus(t, e.postForm("/api/v1/admin/domain_allows", url.Values{"domain": {"bad domain"}}, mod), http.StatusUnprocessableEntity)
	requireStatus(t, e.delete("/api/v1/admin/domain_allows/"+a.ID, mod), http.StatusOK)
	requireStatus(t, e.get("/api/v1/admin/domain_allows/"+a.ID, mod), http.StatusNotFound)
	// Hidden by default.
	requireStatus(t, e.get("/api/v1/instance/domain_blocks", user), http.StatusNotFound)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

// Client-side views of the entities (times as strings).
type adminBlock struct {
	ID             string  `json:"id"`
	Domain         string  `json:"domain"`
	Digest         string  `json:"digest"`
	CreatedAt      string  `json:"created_at"`
	Severity       string  `json:"severity"`
	RejectMedia    bool    `json:"reject_media"`
	RejectReports  bool    `json:"reject_reports"`
	PrivateComment *string `json:"private_comment"`
	PublicComment  *string `json:"public_comment"`
	Obfuscate      bool    `json:"obfuscate"`
}

type adminAllow struct {
	ID        string `json:"id"`
	Domain    string `json:"domain"`
	CreatedAt string `json:"created_at"`
}

type publicBlock struct {
	Domain   string  `json:"domain"`
	Digest   string  `json:"digest"`
	Severity string  `json:"severity"`
	Comment  *string `json:"comment"`
}

type severance struct {
	ID             string `json:"id"`
	Type           string `json:"type"`
	Purged         bool   `json:"purged"`
	TargetName     string `json:"target_name"`
	FollowersCount int64  `json:"followers_count"`
	FollowingCount int64  `json:"following_count"`
	CreatedAt      string `json:"created_at"`
}
