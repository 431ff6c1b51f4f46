package social_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// staffer makes a a local user of the given role.
func (e *env) staffer(name string, role storage.Role) *storage.Account {
	e.t.Helper()
	a := e.local(name)
	u, err := e.store.Users().GetByAccountID(e.ctx, a.ID)
	require.NoError(e.t, err)
	u.Role = role
	require.NoError(e.t, e.store.Users().Update(e.ctx, u))
	return a
}

// token creates an access token of a with the given hash.
func (e *env) token(a *storage.Account, hash string) {
	e.t.Helper()
	app := &storage.Application{Name: "app " + hash, ClientID: "client-" + hash, ClientSecretHash: "x"}
	require.NoError(e.t, e.store.OAuth().CreateApplication(e.ctx, app))
	require.NoError(e.t, e.store.OAuth().CreateToken(e.ctx, &storage.Token{TokenHash: hash, ApplicationID: app.ID, AccountID: a.ID}))
}

func (e *env) audit() []string {
	e.t.Helper()
	es, err := e.store.AuditLog().List(e.ctx, storage.AuditFilter{}, storage.Page{Limit: 100})
	require.NoError(e.t, err)
	out := []string{}
	for _, x := range es {
		out = append(out, x.Action)
	}
	return out
}

func (e *env) publicIDs(viewer *storage.Account, local bool) []storage.ID {
	e.t.Helper()
	sts, err := e.svc.Public(e.ctx, viewer, storage.PublicFilter{LocalOnly: local}, storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	return ids(sts)
}

func (e *env) tagIDs(viewer *storage.Account, tag string) []storage.ID {
	e.t.Helper()
	sts, err := e.svc.Tag(e.ctx, viewer, social.TagQuery{Tag: tag}, storage.Page{Limit: storage.MaxLimit})
	require.NoError(e.t, err)
	return ids(sts)
}

func (e *env) searchIDs(viewer *storage.Account, q string) []storage.ID {
	e.t.Helper()
	sts, err := e.svc.SearchStatuses(e.ctx, viewer, q, 0, 40, 0)
	require.NoError(e.t, err)
	return ids(sts)
}

func (e *env) threadIDs(viewer *storage.Account, id storage.ID) (anc, desc []storage.ID) {
	e.t.Helper()
	c, err := e.svc.Context(e.ctx, viewer, id)
	require.NoError(e.t, err)
	return ids(c.Ancestors), ids(c.Descendants)
}

func TestModeratorRoles(t *testing.T) {
	e := newEnv(t)
	user := e.local("user")
	mod := e.staffer("mod", storage.RoleModerator)
	adm := e.staffer("adm", storage.RoleAdmin)
	target := e.local("target")

	_, err := e.svc.TakeAccountAction(e.ctx, user, target.ID, social.AccountAction{Type: social.ActionSilence})
	require.ErrorIs(t, err, social.ErrForbidden, "a plain user is not staff")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, adm.ID, social.AccountAction{Type: social.ActionSuspend})
	require.ErrorIs(t, err, social.ErrForbidden, "a moderator cannot act on an admin")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, mod.ID, social.AccountAction{Type: social.ActionSilence})
	require.ErrorIs(t, err, social.ErrForbidden, "nobody moderates themselves")
	_, err = e.svc.TakeAccountAction(e.ctx, adm, mod.ID, social.AccountAction{Type: social.ActionSilence})
	require.NoError(t, err, "an admin can act on a moderator")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, target.ID, social.AccountAction{Type: "zap"})
	require.ErrorIs(t, err, social.ErrInvalid)
	_, err = e.svc.Reports(e.ctx, user, storage.ReportFilter{}, storage.Page{})
	require.ErrorIs(t, err, social.ErrForbidden)
	_, err = e.svc.AuditLog(e.ctx, user, storage.AuditFilter{}, storage.Page{})
	require.ErrorIs(t, err, social.ErrForbidden)
	assert.Equal(t, []string{social.AuditAccountSilence}, e.audit(), "refused actions write nothing")
}

func TestWarnAndNotify(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	target := e.local("target")
	w, err := e.svc.TakeAccountAction(e.ctx, mod, target.ID, social.AccountAction{Type: social.ActionNone, Text: "please stop"})
	require.NoError(t, err)
	assert.Equal(t, storage.WarnNone, w.Action)
	assert.Equal(t, []string{"moderation_warning:target"}, e.notifications(target))
	ns, err := e.store.Notifications().List(e.ctx, target.ID, storage.NotificationFilter{}, storage.Page{})
	require.NoError(t, err)
	assert.Equal(t, w.ID, social.NotificationExtraID(ns[0], "warning_id"))
	es, err := e.store.AuditLog().List(e.ctx, storage.AuditFilter{}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, es, 1)
	assert.Equal(t, "@mod warned @target: please stop", "@"+es[0].Summary[:3]+" warned @target: please stop")
	assert.Equal(t, "mod warned target: please stop", es[0].Summary)
	assert.Equal(t, mod.ID, es[0].AccountID)
	assert.Equal(t, "account", es[0].TargetType)
	assert.Equal(t, target.ID, es[0].TargetID)
}

func TestSuspendLocalNothingLeaks(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		mod := e.staffer("mod", storage.RoleModerator)
		bad := e.local("bad")
		viewer := e.local("viewer")
		e.follow(viewer, bad)
		root := e.post(viewer, "root post", storage.VisibilityPublic)
		badPost := e.post(bad, "nasty #topic words", storage.VisibilityPublic)
		badReply := e.reply(bad, root, "@viewer nasty reply", storage.VisibilityPublic)
		childOfBad := e.reply(viewer, badPost, "answering", storage.VisibilityPublic)
		_, err := e.svc.Reblog(e.ctx, bad, root.ID, social.ReblogInput{})
		require.NoError(t, err)
		_, err = e.svc.Favourite(e.ctx, bad, root.ID)
		require.NoError(t, err)
		e.token(bad, "h-bad")

		require.Contains(t, e.publicIDs(nil, false), badPost.ID)
		require.Contains(t, e.home(viewer), badPost.ID)
		require.NotEmpty(t, e.notifications(viewer))
		e.events.reset()

		_, err = e.svc.TakeAccountAction(e.ctx, mod, bad.ID, social.AccountAction{Type: social.ActionSuspend, Text: "spam"})
		require.NoError(t, err)
		assert.NotNil(t, e.account(bad.ID).SuspendedAt)
		_, err = e.store.OAuth().GetToken(e.ctx, "h-bad")
		assert.ErrorIs(t, err, storage.ErrNotFound, "tokens are revoked")
		evs := e.events.ofType(social.EventAccountSuspended)
		require.Len(t, evs, 1)
		assert.Equal(t, bad.ID, evs[0].Actor.ID)
		assert.Equal(t, []string{social.AuditAccountSuspend}, e.audit())
		assert.Empty(t, e.events.ofType(social.EventNotificationCreated), "a suspended account is not notified")

		check := func(visible bool) {
			t.Helper()
			in := assert.Contains
			if !visible {
				in = assert.NotContains
			}
			for _, v := range []*storage.Account{nil, viewer} {
				in(t, e.publicIDs(v, false), badPost.ID, "public")
				in(t, e.publicIDs(v, true), badPost.ID, "local")
				in(t, e.tagIDs(v, "topic"), badPost.ID, "hashtag")
				_, desc := e.threadIDs(v, root.ID)
				in(t, desc, badReply.ID, "thread replies")
				anc, _ := e.threadIDs(v, childOfBad.ID)
				in(t, anc, badPost.ID, "thread ancestors")
				_, err := e.svc.GetStatus(e.ctx, v, badPost.ID)
				if visible {
					assert.NoError(t, err)
				} else {
					assert.ErrorIs(t, err, social.ErrNotFound, "status by id")
				}
			}
			in(t, e.home(viewer), badPost.ID, "home")
			in(t, e.searchIDs(viewer, "nasty"), badPost.ID, "search")
			accts, err := e.svc.SearchAccounts(e.ctx, viewer, "bad", 10, 0)
			require.NoError(t, err)
			found := false
			for _, a := range accts {
				found = found || a.ID == bad.ID
			}
			assert.Equal(t, visible, found, "account search")
			sts, err := e.svc.AccountStatuses(e.ctx, viewer, bad.ID, social.AccountStatusesFilter{}, storage.Page{})
			require.NoError(t, err)
			assert.Equal(t, visible, len(sts) > 0, "account statuses")
			following, err := e.svc.Following(e.ctx, viewer, viewer.ID, storage.Page{})
			require.NoError(t, err)
			assert.Equal(t, visible, len(following) == 1, "following list")
			n := 0
			for _, s := range e.notifications(viewer) {
				if s == "mention:bad" || s == "favourite:bad" || s == "reblog:bad" {
					n++
				}
			}
			assert.Equal(t, visible, n == 3, "notifications: %v", e.notifications(viewer))
		}
		check(false)

		// Unsuspending restores everything (the data was kept).
		e.events.reset()
		require.NoError(t, e.svc.UnsuspendAccount(e.ctx, mod, bad.ID))
		assert.Nil(t, e.account(bad.ID).SuspendedAt)
		assert.Len(t, e.events.ofType(social.EventAccountUnsuspended), 1)
		check(true)
		require.ErrorIs(t, e.svc.UnsuspendAccount(e.ctx, mod, bad.ID), social.ErrInvalid)
	})
}

func TestSuspendRemoteRejectsFollows(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	alice, bob := e.local("alice"), e.local("bob")
	rem := e.remote("rem", "bad.example")
	for _, a := range []*storage.Account{alice, bob} {
		require.NoError(t, e.store.Follows().Create(e.ctx, &storage.Follow{AccountID: rem.ID, TargetAccountID: a.ID, URI: "https://bad.example/follows/" + a.Username}))
	}
	// A local follow of the remote account is kept (hidden).
	require.NoError(t, e.store.Follows().Create(e.ctx, &storage.Follow{AccountID: alice.ID, TargetAccountID: rem.ID}))
	e.events.reset()
	_, err := e.svc.TakeAccountAction(e.ctx, mod, rem.ID, social.AccountAction{Type: social.ActionSuspend})
	require.NoError(t, err)
	rej := e.events.ofType(social.EventFollowRejected)
	require.Len(t, rej, 2)
	for _, ev := range rej {
		assert.Equal(t, rem.ID, ev.Target.ID)
		assert.True(t, ev.Actor.Local())
		assert.Contains(t, ev.Follow.URI, "https://bad.example/follows/")
	}
	_, err = e.store.Follows().Get(e.ctx, rem.ID, alice.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	_, err = e.store.Follows().Get(e.ctx, alice.ID, rem.ID)
	assert.NoError(t, err)
	assert.Len(t, e.events.ofType(social.EventAccountSuspended), 1)

	// Its data can then be deleted for good, by an admin.
	assert.ErrorIs(t, e.svc.DeleteAccountData(e.ctx, mod, rem.ID), social.ErrForbidden, "moderators may not delete data")
	boss := e.staffer("boss", storage.RoleAdmin)
	require.NoError(t, e.svc.DeleteAccountData(e.ctx, boss, rem.ID))
	_, err = e.store.Follows().Get(e.ctx, alice.ID, rem.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, e.svc.UnsuspendAccount(e.ctx, mod, rem.ID), social.ErrInvalid)
	assert.ErrorIs(t, e.svc.DeleteAccountData(e.ctx, boss, alice.ID), social.ErrInvalid, "only suspended accounts")
}

func TestDeleteAccountData(t *testing.T) {
	e := newEnv(t)
	bad := e.local("bad")
	fan := e.local("fan")
	e.follow(fan, bad)
	st := e.post(bad, "hello", storage.VisibilityPublic)
	_, err := e.svc.TakeAccountAction(e.ctx, nil, bad.ID, social.AccountAction{Type: social.ActionSuspend})
	require.NoError(t, err)
	require.NoError(t, e.svc.DeleteAccountData(e.ctx, nil, bad.ID))
	_, err = e.store.Statuses().Get(e.ctx, st.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	a := e.account(bad.ID)
	assert.Zero(t, a.StatusesCount)
	assert.Contains(t, a.Extra, social.ExtraDeletedAt)
	assert.Zero(t, e.account(fan.ID).FollowingCount)
	assert.Equal(t, []string{social.AuditAccountSuspend, social.AuditAccountDeleteData}, reverse(e.audit()))
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i := range s {
		out[len(s)-1-i] = s[i]
	}
	return out
}

func TestSilenceLimitsToFollowers(t *testing.T) {
	onBackends(t, func(t *testing.T, e *env) {
		mod := e.staffer("mod", storage.RoleModerator)
		loud := e.local("loud")
		fan := e.local("fan")
		stranger := e.local("stranger")
		e.follow(fan, loud)
		root := e.post(stranger, "root", storage.VisibilityPublic)
		_, err := e.svc.TakeAccountAction(e.ctx, mod, loud.ID, social.AccountAction{Type: social.ActionSilence})
		require.NoError(t, err)
		assert.True(t, e.svc.Limited(e.ctx, e.account(loud.ID)))
		loud = e.account(loud.ID)

		post := e.post(loud, "loud #news words", storage.VisibilityPublic)
		reply := e.reply(loud, root, "@stranger @fan loud reply", storage.VisibilityPublic)

		for _, v := range []*storage.Account{nil, stranger} {
			assert.NotContains(t, e.publicIDs(v, false), post.ID, "public timeline")
			assert.NotContains(t, e.publicIDs(v, true), post.ID, "local timeline")
			assert.NotContains(t, e.tagIDs(v, "news"), post.ID, "hashtag timeline")
			_, desc := e.threadIDs(v, root.ID)
			assert.NotContains(t, desc, reply.ID, "thread")
			_, err := e.svc.GetStatus(e.ctx, v, post.ID)
			assert.NoError(t, err, "still reachable by link")
		}
		assert.NotContains(t, e.searchIDs(stranger, "loud"), post.ID)
		assert.Empty(t, e.notifications(stranger), "no mention from a limited stranger")
		// Followers still see it at home, in threads and notifications;
		// public and hashtag timelines leave limited accounts out for
		// everyone, as Mastodon's (Account.without_silenced).
		assert.NotContains(t, e.publicIDs(fan, false), post.ID)
		assert.NotContains(t, e.tagIDs(fan, "news"), post.ID)
		assert.Contains(t, e.home(fan), post.ID)
		_, desc := e.threadIDs(fan, root.ID)
		assert.Contains(t, desc, reply.ID)
		assert.Contains(t, e.notifications(fan), "mention:loud")
		// The author too.
		assert.Contains(t, e.publicIDs(loud, false), post.ID)

		// A boost by someone else does not carry it to strangers.
		booster := e.local("booster")
		e.follow(stranger, booster)
		e.follow(booster, loud)
		boost, err := e.svc.Reblog(e.ctx, booster, post.ID, social.ReblogInput{})
		require.NoError(t, err)
		assert.NotContains(t, e.home(stranger), boost.ID)

		require.NoError(t, e.svc.UnsilenceAccount(e.ctx, mod, loud.ID))
		assert.Contains(t, e.publicIDs(stranger, false), post.ID)
		assert.Contains(t, e.home(stranger), boost.ID)
		assert.Equal(t, []string{social.AuditAccountUnsilence, social.AuditAccountSilence}, e.audit())
	})
}

func TestLimiterHook(t *testing.T) {
	st := openSQLite(t)
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(t, err)
	limit := social.LimiterFunc(func(a *storage.Account) bool { return a.Domain == "silenced.example" })
	e := &env{t: t, ctx: t.Context(), store: st, urls: urls, events: &recorder{}}
	e.svc = social.New(st, urls, &social.Options{Limiter: limit})
	rem := e.remote("r", "silenced.example")
	other := e.remote("o", "fine.example")
	assert.True(t, e.svc.Limited(e.ctx, rem))
	assert.False(t, e.svc.Limited(e.ctx, other))
	s1 := &storage.Status{AccountID: rem.ID, URI: rem.URI + "/1", Visibility: storage.VisibilityPublic, Content: "x"}
	s2 := &storage.Status{AccountID: other.ID, URI: other.URI + "/1", Visibility: storage.VisibilityPublic, Content: "y"}
	require.NoError(t, st.Statuses().Create(e.ctx, s1))
	require.NoError(t, st.Statuses().Create(e.ctx, s2))
	assert.Equal(t, []storage.ID{s2.ID}, e.publicIDs(nil, false))
}

func TestSensitizeAndDisable(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	a := e.local("pics")
	_, err := e.svc.TakeAccountAction(e.ctx, mod, a.ID, social.AccountAction{Type: social.ActionSensitive})
	require.NoError(t, err)
	a = e.account(a.ID)
	assert.True(t, a.Sensitized)
	m := &storage.MediaAttachment{AccountID: a.ID, Type: storage.MediaImage, State: storage.MediaReady}
	require.NoError(t, e.store.MediaAttachments().Create(e.ctx, m))
	st, err := e.svc.PostStatus(e.ctx, a, social.PostInput{Text: "look", MediaIDs: []storage.ID{m.ID}, Sensitive: ptr(false)})
	require.NoError(t, err)
	assert.True(t, st.Sensitive, "media of a sensitized account are sensitive")
	st, err = e.svc.PostStatus(e.ctx, a, social.PostInput{Text: "words only"})
	require.NoError(t, err)
	assert.False(t, st.Sensitive)
	require.NoError(t, e.svc.UnsensitiveAccount(e.ctx, mod, a.ID))
	assert.False(t, e.account(a.ID).Sensitized)

	e.token(a, "h-pics")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, a.ID, social.AccountAction{Type: social.ActionDisable})
	require.NoError(t, err)
	u, err := e.store.Users().GetByAccountID(e.ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, u.Disabled)
	_, err = e.store.OAuth().GetToken(e.ctx, "h-pics")
	assert.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, e.svc.EnableAccount(e.ctx, mod, a.ID))
	u, err = e.store.Users().GetByAccountID(e.ctx, a.ID)
	require.NoError(t, err)
	assert.False(t, u.Disabled)

	rem := e.remote("r", "remote.example")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, rem.ID, social.AccountAction{Type: social.ActionDisable})
	assert.ErrorIs(t, err, social.ErrInvalid, "only local logins can be disabled")
}

func TestApproveReject(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	mk := func(name string) *storage.Account {
		a := e.local(name)
		u, err := e.store.Users().GetByAccountID(e.ctx, a.ID)
		require.NoError(t, err)
		u.Approved = false
		require.NoError(t, e.store.Users().Update(e.ctx, u))
		return a
	}
	p1, p2 := mk("pending1"), mk("pending2")
	list, err := e.svc.AdminAccounts(e.ctx, mod, storage.AdminAccountFilter{Status: "pending"}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.NoError(t, e.svc.ApproveAccount(e.ctx, mod, p1.ID))
	u, err := e.store.Users().GetByAccountID(e.ctx, p1.ID)
	require.NoError(t, err)
	assert.True(t, u.Approved)
	assert.ErrorIs(t, e.svc.ApproveAccount(e.ctx, mod, p1.ID), social.ErrInvalid)
	assert.ErrorIs(t, e.svc.RejectAccount(e.ctx, mod, p1.ID), social.ErrInvalid, "an approved account cannot be rejected")
	require.NoError(t, e.svc.RejectAccount(e.ctx, mod, p2.ID))
	_, err = e.store.Accounts().Get(e.ctx, p2.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.Equal(t, []string{social.AuditAccountReject, social.AuditAccountApprove}, e.audit())
	_, err = e.svc.AdminAccounts(e.ctx, mod, storage.AdminAccountFilter{Status: "bogus"}, storage.Page{})
	assert.ErrorIs(t, err, social.ErrInvalid)
}

func TestReports(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	adm := e.staffer("adm", storage.RoleAdmin)
	reporter := e.local("reporter")
	bad := e.local("bad")
	rem := e.remote("rem", "remote.example")
	third := e.remote("third", "third.example")
	st := e.post(bad, "bad post", storage.VisibilityPublic)
	private := e.post(bad, "private", storage.VisibilityPrivate)
	other := e.post(reporter, "mine", storage.VisibilityPublic)
	rule, err := e.svc.AddRule(e.ctx, nil, "Be kind", "")
	require.NoError(t, err)

	_, err = e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: bad.ID, StatusIDs: []storage.ID{other.ID}})
	assert.ErrorIs(t, err, social.ErrNotFound, "statuses must be the target's")
	_, err = e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: bad.ID, StatusIDs: []storage.ID{private.ID}})
	assert.ErrorIs(t, err, social.ErrNotFound, "statuses must be visible to the reporter")
	_, err = e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: reporter.ID})
	assert.ErrorIs(t, err, social.ErrInvalid)
	_, err = e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: bad.ID, RuleIDs: []storage.ID{rule.ID + 1}})
	assert.ErrorIs(t, err, social.ErrInvalid)
	_, err = e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: bad.ID, Category: "weird"})
	assert.ErrorIs(t, err, social.ErrInvalid)

	rep, err := e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: bad.ID, StatusIDs: []storage.ID{st.ID, st.ID},
		RuleIDs: []storage.ID{rule.ID}, Comment: "mean", Forward: true})
	require.NoError(t, err)
	assert.Equal(t, storage.ReportViolation, rep.Category)
	assert.Equal(t, storage.IDs{st.ID}, rep.StatusIDs)
	assert.Equal(t, storage.IDs{rule.ID}, rep.RuleIDs)
	assert.False(t, rep.Forwarded, "local targets are not forwarded")
	assert.Equal(t, []string{"admin.report:reporter"}, e.notifications(mod))
	assert.Equal(t, []string{"admin.report:reporter"}, e.notifications(adm))
	assert.Empty(t, e.notifications(bad))

	// A remote target, forwarded, with a reply to a third server.
	remSt := &storage.Status{AccountID: rem.ID, URI: rem.URI + "/s/1", Visibility: storage.VisibilityPublic, Content: "x",
		InReplyToAccountID: third.ID, Mentions: storage.Mentions{{AccountID: third.ID}}}
	require.NoError(t, e.store.Statuses().Create(e.ctx, remSt))
	e.events.reset()
	rep2, err := e.svc.Report(e.ctx, reporter, social.ReportInput{AccountID: rem.ID, StatusIDs: []storage.ID{remSt.ID}, Forward: true,
		ForwardToDomains: []string{"third.example", "unrelated.example"}, RuleIDs: []storage.ID{rule.ID}, Category: storage.ReportSpam})
	require.NoError(t, err)
	assert.True(t, rep2.Forwarded)
	assert.Equal(t, "https://herd.example/actor#flags/"+rep2.ID.String(), rep2.URI)
	assert.Equal(t, storage.IDs{}, rep2.RuleIDs, "rules are kept for violations only")
	fw := e.events.ofType(social.EventReportForwarded)
	require.Len(t, fw, 1)
	assert.Equal(t, rem.ID, fw[0].Target.ID)
	assert.Equal(t, []string{third.URI}, fw[0].ForwardTo)

	// Moderators handle them.
	unresolved, err := e.svc.Reports(e.ctx, mod, storage.ReportFilter{Resolved: ptr(false)}, storage.Page{})
	require.NoError(t, err)
	assert.Len(t, unresolved, 2)
	r, err := e.svc.AssignReport(e.ctx, mod, rep.ID, mod.ID)
	require.NoError(t, err)
	assert.Equal(t, mod.ID, r.AssignedAccountID)
	_, err = e.svc.AssignReport(e.ctx, mod, rep.ID, reporter.ID)
	assert.ErrorIs(t, err, social.ErrInvalid, "only staff can be assigned")
	r, err = e.svc.AssignReport(e.ctx, mod, rep.ID, 0)
	require.NoError(t, err)
	assert.Zero(t, r.AssignedAccountID)
	cat := storage.ReportLegal
	r, err = e.svc.UpdateReport(e.ctx, mod, rep.ID, &cat, nil)
	require.NoError(t, err)
	assert.Equal(t, storage.ReportLegal, r.Category)
	assert.Equal(t, storage.IDs{}, r.RuleIDs)
	note, err := e.svc.AddReportNote(e.ctx, mod, rep.ID, "checked", true)
	require.NoError(t, err)
	d, err := e.svc.GetReport(e.ctx, mod, rep.ID)
	require.NoError(t, err)
	assert.True(t, d.Report.Resolved())
	assert.Equal(t, mod.ID, d.Report.ActionTakenByAccountID)
	require.Len(t, d.Notes, 1)
	assert.Equal(t, note.ID, d.Notes[0].ID)
	r, err = e.svc.ReopenReport(e.ctx, mod, rep.ID)
	require.NoError(t, err)
	assert.False(t, r.Resolved())
	r, err = e.svc.ResolveReport(e.ctx, mod, rep.ID)
	require.NoError(t, err)
	assert.True(t, r.Resolved())

	// An action can resolve a report about its target.
	_, err = e.svc.TakeAccountAction(e.ctx, mod, bad.ID, social.AccountAction{Type: social.ActionSilence, ReportID: rep2.ID})
	assert.ErrorIs(t, err, social.ErrInvalid, "report about another account")
	_, err = e.svc.TakeAccountAction(e.ctx, mod, rem.ID, social.AccountAction{Type: social.ActionSilence, ReportID: rep2.ID})
	require.NoError(t, err)
	d, err = e.svc.GetReport(e.ctx, mod, rep2.ID)
	require.NoError(t, err)
	assert.True(t, d.Report.Resolved())
	w, err := e.store.AccountWarnings().List(e.ctx, rem.ID, storage.Page{})
	require.NoError(t, err)
	require.Len(t, w, 1)
	assert.Equal(t, storage.IDs{remSt.ID}, w[0].StatusIDs)

	assert.Equal(t, []string{social.AuditAccountSilence, social.AuditReportResolve, social.AuditReportReopen, social.AuditReportNote,
		social.AuditReportUpdate, social.AuditReportUnassign, social.AuditReportAssign, social.AuditRuleCreate}, e.audit())
}

func TestReceiveReport(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	bad := e.local("bad")
	st := e.post(bad, "bad", storage.VisibilityPublic)
	inst := e.remote("remote.example", "remote.example")
	in := social.RemoteReport{URI: "https://remote.example/flags/1", From: inst, Target: bad, StatusIDs: []storage.ID{st.ID}, Comment: "spam"}
	rep, err := e.svc.ReceiveReport(e.ctx, in)
	require.NoError(t, err)
	assert.Equal(t, inst.ID, rep.AccountID)
	assert.Equal(t, storage.IDs{st.ID}, rep.StatusIDs)
	again, err := e.svc.ReceiveReport(e.ctx, in)
	require.NoError(t, err)
	assert.Equal(t, rep.ID, again.ID, "the same Flag twice is one report")
	assert.Equal(t, []string{"admin.report:remote.example"}, e.notifications(mod))
	_, err = e.svc.ReceiveReport(e.ctx, social.RemoteReport{URI: "x", From: inst, Target: inst})
	assert.ErrorIs(t, err, social.ErrInvalid, "remote targets are refused")
}

func TestRulesAndSignUpNotice(t *testing.T) {
	e := newEnv(t)
	mod := e.staffer("mod", storage.RoleModerator)
	r1, err := e.svc.AddRule(e.ctx, mod, "One", "first")
	require.NoError(t, err)
	r2, err := e.svc.AddRule(e.ctx, mod, "Two", "")
	require.NoError(t, err)
	_, err = e.svc.AddRule(e.ctx, mod, " ", "")
	assert.ErrorIs(t, err, social.ErrInvalid)
	rules, err := e.svc.Rules(e.ctx)
	require.NoError(t, err)
	require.Len(t, rules, 2)
	assert.Equal(t, []storage.ID{r1.ID, r2.ID}, []storage.ID{rules[0].ID, rules[1].ID})
	require.NoError(t, e.svc.RemoveRule(e.ctx, mod, r1.ID))
	assert.ErrorIs(t, e.svc.RemoveRule(e.ctx, mod, r1.ID), social.ErrNotFound)
	assert.Equal(t, []string{social.AuditRuleDelete, social.AuditRuleCreate, social.AuditRuleCreate}, e.audit())

	newbie := e.local("newbie")
	require.NoError(t, e.svc.NotifySignUp(e.ctx, newbie))
	assert.Equal(t, []string{"admin.sign_up:newbie"}, e.notifications(mod))
}
