package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
)

func TestModerationCommands(t *testing.T) {
	data := t.TempDir()
	e := env(map[string]string{"HERD_DATA": data, "HERD_PUBLIC_URL": "https://herd.example"})
	ctx := context.Background()
	herd := func(want int, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		code := run(ctx, args, e, &out, &errs)
		require.Equal(t, want, code, "herd %v: %s%s", args, out.String(), errs.String())
		return out.String() + errs.String()
	}
	herd(0, "account", "create", "--username", "bob", "--email", "bob@example.com", "--password", "correct horse battery")
	herd(0, "account", "create", "--username", "carol", "--email", "carol@example.com", "--password", "correct horse battery")

	assert.Contains(t, herd(0, "account", "suspend", "bob", "--reason", "spam"), "bob: suspend done")
	assert.Contains(t, herd(0, "account", "unsuspend", "bob"), "bob: unsuspend done")
	herd(0, "account", "silence", "bob")
	herd(0, "account", "unsilence", "bob")
	herd(0, "account", "sensitive", "bob")
	herd(0, "account", "unsensitive", "bob")
	herd(0, "account", "disable", "bob")
	herd(0, "account", "enable", "bob")
	assert.Contains(t, herd(1, "account", "approve", "bob"), "not pending approval")
	assert.Contains(t, herd(1, "account", "suspend", "nobody"), `no account "nobody"`)
	assert.Contains(t, herd(1, "account", "suspend"), "name the account")

	assert.Contains(t, herd(0, "rule", "add", "Be kind", "--hint", "Really"), "added rule")
	assert.Contains(t, herd(0, "rule", "list"), "Be kind")

	// A report filed through the service, handled from the command line.
	st, err := sqlite.Open(ctx, filepath.Join(data, "herd.db"), nil)
	require.NoError(t, err)
	urls, err := social.NewURLs("https://herd.example")
	require.NoError(t, err)
	svc := social.New(st, urls, nil)
	bob, err := st.Accounts().GetByUsername(ctx, "bob", "")
	require.NoError(t, err)
	carol, err := st.Accounts().GetByUsername(ctx, "carol", "")
	require.NoError(t, err)
	rep, err := svc.Report(ctx, carol, social.ReportInput{AccountID: bob.ID, Comment: "rude to me"})
	require.NoError(t, err)
	rules, err := st.Rules().List(ctx)
	require.NoError(t, err)
	require.NoError(t, st.Close())

	assert.Contains(t, herd(0, "report", "list"), "rude to me")
	assert.Contains(t, herd(0, "report", "show", rep.ID.String()), "reporter: carol")
	assert.Contains(t, herd(0, "report", "resolve", rep.ID.String(), "--note", "talked to bob"), "resolved")
	assert.NotContains(t, herd(0, "report", "list"), "rude to me")
	assert.Contains(t, herd(0, "report", "list", "--all"), "rude to me")
	assert.Contains(t, herd(0, "report", "show", rep.ID.String()), "talked to bob")
	assert.Contains(t, herd(0, "report", "reopen", rep.ID.String()), "reopened")
	assert.Contains(t, herd(1, "report", "show", "12345"), "not found")
	assert.Contains(t, herd(0, "rule", "remove", rules[0].ID.String()), "removed rule")

	audit := herd(0, "audit", "--limit", "100")
	for _, a := range []string{social.AuditAccountSuspend, social.AuditAccountUnsuspend, social.AuditAccountSilence, social.AuditAccountDisable,
		social.AuditRuleCreate, social.AuditRuleDelete, social.AuditReportResolve, social.AuditReportReopen, social.AuditReportNote} {
		assert.Contains(t, audit, a)
	}
	assert.Contains(t, audit, "the server suspended bob: spam")
	assert.Contains(t, herd(0, "audit", "--action", "account.suspend"), "account.suspend")
	assert.NotContains(t, herd(0, "audit", "--action", "account.suspend"), "rule.create")
}
