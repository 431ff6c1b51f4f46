package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/storage"
)

// RunAdmin checks a backend's Reports, AccountWarnings, Rules, AuditLog and
// AdminAccounts.
func RunAdmin(t *testing.T, open func(t *testing.T) storage.Store) {
	ctx := context.Background()

	t.Run("Reports", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		reporter, target, mod := modAccount(t, s, ""), modAccount(t, s, "remote.example"), modAccount(t, s, "")
		other := modAccount(t, s, "")
		assert.ErrorIs(t, s.Reports().Create(ctx, &storage.Report{AccountID: reporter.ID}), storage.ErrInvalid)
		assert.ErrorIs(t, s.Reports().Create(ctx, &storage.Report{AccountID: reporter.ID, TargetAccountID: target.ID, Category: "nonsense"}), storage.ErrInvalid)

		r1 := &storage.Report{AccountID: reporter.ID, TargetAccountID: target.ID, StatusIDs: storage.IDs{5, 6},
			RuleIDs: storage.IDs{7}, Category: storage.ReportViolation, Comment: "rude ✊", Forwarded: true,
			URI: "https://herd.example/reports/1"}
		require.NoError(t, s.Reports().Create(ctx, r1))
		assert.NotZero(t, r1.ID)
		assert.False(t, r1.CreatedAt.IsZero())
		r2 := &storage.Report{AccountID: reporter.ID, TargetAccountID: other.ID}
		require.NoError(t, s.Reports().Create(ctx, r2))
		assert.Equal(t, storage.ReportOther, r2.Category, "category defaults to other")
		r3 := &storage.Report{TargetAccountID: other.ID, Category: storage.ReportSpam, URI: "https://remote.example/flags/1"}
		require.NoError(t, s.Reports().Create(ctx, r3))
		requireConflict(t, s.Reports().Create(ctx, &storage.Report{TargetAccountID: other.ID, URI: r3.URI}), "duplicate Flag URI")
		// Several reports without a URI are fine.
		require.NoError(t, s.Reports().Create(ctx, &storage.Report{AccountID: other.ID, TargetAccountID: target.ID}))

		got, err := s.Reports().Get(ctx, r1.ID)
		require.NoError(t, err)
		assert.Equal(t, r1, got)
		assert.False(t, got.Resolved())
		got, err = s.Reports().GetByURI(ctx, r3.URI)
		require.NoError(t, err)
		assert.Equal(t, r3.ID, got.ID)
		assert.Zero(t, got.AccountID, "a report without a reporter reads back as 0")
		assert.Equal(t, storage.IDs{}, got.StatusIDs)
		_, err = s.Reports().GetByURI(ctx, "")
		requireNotFound(t, err, "empty uri")
		_, err = s.Reports().Get(ctx, r1.ID+999)
		requireNotFound(t, err, "unknown report")

		// Assign and resolve.
		at := ts(2026, 3, 4, 5, 6, 7, 8)
		got.AssignedAccountID = mod.ID
		got.ActionTakenByAccountID = mod.ID
		got.ActionTakenAt = &at
		got.Category = storage.ReportLegal
		got.RuleIDs = storage.IDs{}
		require.NoError(t, s.Reports().Update(ctx, got))
		back, err := s.Reports().Get(ctx, r3.ID)
		require.NoError(t, err)
		assert.Equal(t, mod.ID, back.AssignedAccountID)
		assert.Equal(t, at, *back.ActionTakenAt)
		assert.True(t, back.Resolved())
		assert.Equal(t, storage.ReportLegal, back.Category)
		assert.False(t, back.UpdatedAt.Before(back.CreatedAt))
		assert.ErrorIs(t, s.Reports().Update(ctx, &storage.Report{ID: r1.ID + 999, TargetAccountID: other.ID}), storage.ErrNotFound)

		all, err := s.Reports().List(ctx, storage.ReportFilter{}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, all, 4)
		assert.Equal(t, r1.ID, all[3].ID, "newest first")
		unresolved, err := s.Reports().List(ctx, storage.ReportFilter{Resolved: ptr(false)}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, unresolved, 3)
		resolved, err := s.Reports().List(ctx, storage.ReportFilter{Resolved: ptr(true)}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, resolved, 1)
		assert.Equal(t, r3.ID, resolved[0].ID)
		byTarget, err := s.Reports().List(ctx, storage.ReportFilter{TargetAccountID: other.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, byTarget, 2)
		byReporter, err := s.Reports().List(ctx, storage.ReportFilter{AccountID: reporter.ID, TargetAccountID: target.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, byReporter, 1)
		assigned, err := s.Reports().List(ctx, storage.ReportFilter{AssignedAccountID: mod.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, assigned, 1)
		page, err := s.Reports().List(ctx, storage.ReportFilter{}, storage.Page{Limit: 2, MaxID: all[0].ID})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{all[1].ID, all[2].ID}, []storage.ID{page[0].ID, page[1].ID})
		page, err = s.Reports().List(ctx, storage.ReportFilter{}, storage.Page{Limit: 2, MinID: all[3].ID})
		require.NoError(t, err)
		assert.Equal(t, []storage.ID{all[1].ID, all[2].ID}, []storage.ID{page[0].ID, page[1].ID}, "min_id pages are newest first")
		n, err := s.Reports().Count(ctx, storage.ReportFilter{Resolved: ptr(false)})
		require.NoError(t, err)
		assert.EqualValues(t, 3, n)
		none, err := s.Reports().List(ctx, storage.ReportFilter{TargetAccountID: mod.ID}, storage.Page{})
		require.NoError(t, err)
		requireEmpty(t, none, "reports about an unreported account")

		// Notes.
		assert.ErrorIs(t, s.Reports().AddNote(ctx, &storage.ReportNote{ReportID: r1.ID, Content: "  "}), storage.ErrInvalid)
		n1 := &storage.ReportNote{ReportID: r1.ID, AccountID: mod.ID, Content: "looking"}
		require.NoError(t, s.Reports().AddNote(ctx, n1))
		n2 := &storage.ReportNote{ReportID: r1.ID, AccountID: mod.ID, Content: "done"}
		require.NoError(t, s.Reports().AddNote(ctx, n2))
		notes, err := s.Reports().Notes(ctx, r1.ID)
		require.NoError(t, err)
		require.Len(t, notes, 2)
		assert.Equal(t, n1, notes[0])
		require.NoError(t, s.Reports().DeleteNote(ctx, n1.ID))
		requireNotFound(t, s.Reports().DeleteNote(ctx, n1.ID), "deleted note")
		notes, err = s.Reports().Notes(ctx, r2.ID)
		require.NoError(t, err)
		requireEmpty(t, notes, "notes of a report without notes")

		// Deleting the target removes its reports; deleting the reporter
		// or the moderator keeps them.
		require.NoError(t, s.Accounts().Delete(ctx, mod.ID))
		back, err = s.Reports().Get(ctx, r3.ID)
		require.NoError(t, err)
		assert.Zero(t, back.AssignedAccountID)
		require.NoError(t, s.Accounts().Delete(ctx, reporter.ID))
		back, err = s.Reports().Get(ctx, r1.ID)
		require.NoError(t, err)
		assert.Zero(t, back.AccountID)
		require.NoError(t, s.Accounts().Delete(ctx, target.ID))
		_, err = s.Reports().Get(ctx, r1.ID)
		requireNotFound(t, err, "report about a deleted account")
	})

	t.Run("AccountWarnings", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		mod, target := modAccount(t, s, ""), modAccount(t, s, "")
		assert.ErrorIs(t, s.AccountWarnings().Create(ctx, &storage.AccountWarning{TargetAccountID: target.ID, Action: "zap"}), storage.ErrInvalid)
		w1 := &storage.AccountWarning{AccountID: mod.ID, TargetAccountID: target.ID, Action: storage.WarnSilence, Text: "calm down"}
		require.NoError(t, s.AccountWarnings().Create(ctx, w1))
		w2 := &storage.AccountWarning{AccountID: mod.ID, TargetAccountID: target.ID, Action: storage.WarnNone, StatusIDs: storage.IDs{3}}
		require.NoError(t, s.AccountWarnings().Create(ctx, w2))
		got, err := s.AccountWarnings().Get(ctx, w1.ID)
		require.NoError(t, err)
		assert.Equal(t, w1, got)
		list, err := s.AccountWarnings().List(ctx, target.ID, storage.Page{})
		require.NoError(t, err)
		require.Len(t, list, 2)
		assert.Equal(t, w2.ID, list[0].ID)
		assert.Equal(t, storage.IDs{3}, list[0].StatusIDs)
		list, err = s.AccountWarnings().List(ctx, mod.ID, storage.Page{})
		require.NoError(t, err)
		requireEmpty(t, list, "warnings of an unwarned account")
		for _, a := range []storage.WarningAction{storage.WarnDisable, storage.WarnMarkStatusesAsSensitive, storage.WarnDeleteStatuses, storage.WarnSensitive, storage.WarnSuspend} {
			assert.True(t, a.Valid(), a)
		}
	})

	t.Run("Rules", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		assert.ErrorIs(t, s.Rules().Create(ctx, &storage.Rule{Text: " "}), storage.ErrInvalid)
		r1 := &storage.Rule{Text: "Be kind", Hint: "Really", Position: 2}
		r2 := &storage.Rule{Text: "No spam", Position: 1}
		r3 := &storage.Rule{Text: "Tag NSFW ✓", Position: 2}
		for _, r := range []*storage.Rule{r1, r2, r3} {
			require.NoError(t, s.Rules().Create(ctx, r))
		}
		list, err := s.Rules().List(ctx)
		require.NoError(t, err)
		require.Len(t, list, 3)
		assert.Equal(t, []string{"No spam", "Be kind", "Tag NSFW ✓"}, []string{list[0].Text, list[1].Text, list[2].Text})
		r1.Text, r1.Position = "Be very kind", 0
		require.NoError(t, s.Rules().Update(ctx, r1))
		got, err := s.Rules().Get(ctx, r1.ID)
		require.NoError(t, err)
		assert.Equal(t, "Be very kind", got.Text)
		assert.Equal(t, "Really", got.Hint)
		list, err = s.Rules().List(ctx)
		require.NoError(t, err)
		assert.Equal(t, r1.ID, list[0].ID)
		require.NoError(t, s.Rules().Delete(ctx, r2.ID))
		requireNotFound(t, s.Rules().Delete(ctx, r2.ID), "deleted rule")
		_, err = s.Rules().Get(ctx, r2.ID)
		requireNotFound(t, err, "deleted rule")
		assert.ErrorIs(t, s.Rules().Update(ctx, &storage.Rule{ID: r2.ID, Text: "x"}), storage.ErrNotFound)
		list, err = s.Rules().List(ctx)
		require.NoError(t, err)
		assert.Len(t, list, 2)
	})

	t.Run("AuditLog", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		mod := modAccount(t, s, "")
		assert.ErrorIs(t, s.AuditLog().Add(ctx, &storage.AuditEntry{}), storage.ErrInvalid)
		var entries []*storage.AuditEntry
		for i, act := range []string{"account.suspend", "report.resolve", "account.unsuspend", "rule.create"} {
			e := &storage.AuditEntry{AccountID: mod.ID, Action: act, TargetType: map[bool]string{true: "account", false: "report"}[i%2 == 0],
				TargetID: storage.ID(100 + i%2), Summary: "did " + act, CreatedAt: ts(2026, 1, 1, 0, 0, i, 0)}
			if act == "rule.create" {
				e.AccountID, e.TargetType, e.TargetID = 0, "rule", 0
			}
			require.NoError(t, s.AuditLog().Add(ctx, e))
			entries = append(entries, e)
		}
		all, err := s.AuditLog().List(ctx, storage.AuditFilter{}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, all, 4)
		assert.Equal(t, entries[3], all[0])
		assert.Equal(t, entries[0], all[3])
		byMod, err := s.AuditLog().List(ctx, storage.AuditFilter{AccountID: mod.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, byMod, 3)
		byTarget, err := s.AuditLog().List(ctx, storage.AuditFilter{TargetType: "account", TargetID: 100}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, byTarget, 2)
		byAction, err := s.AuditLog().List(ctx, storage.AuditFilter{Action: "report.resolve"}, storage.Page{})
		require.NoError(t, err)
		require.Len(t, byAction, 1)
		assert.Equal(t, entries[1].ID, byAction[0].ID)
		page, err := s.AuditLog().List(ctx, storage.AuditFilter{}, storage.Page{Limit: 1, SinceID: entries[1].ID})
		require.NoError(t, err)
		require.Len(t, page, 1)
		assert.Equal(t, entries[3].ID, page[0].ID)
		// The log outlives the accounts it names.
		require.NoError(t, s.Accounts().Delete(ctx, mod.ID))
		byMod, err = s.AuditLog().List(ctx, storage.AuditFilter{AccountID: mod.ID}, storage.Page{})
		require.NoError(t, err)
		assert.Len(t, byMod, 3)
	})

	t.Run("AdminAccounts", func(t *testing.T) {
		t.Parallel()
		s := open(t)
		user := func(username string, mod func(*storage.Account, *storage.User)) *storage.Account {
			a := &storage.Account{Username: username, URI: "https://herd.example/users/" + username, DisplayName: "Name of " + username}
			u := &storage.User{Email: username + "@Mail.example", Role: storage.RoleUser, Approved: true}
			if mod != nil {
				mod(a, u)
			}
			require.NoError(t, s.Accounts().Create(ctx, a))
			u.AccountID = a.ID
			require.NoError(t, s.Users().Create(ctx, u))
			return a
		}
		now := time.Now()
		// The instance actor: a local account without a user.
		inst := &storage.Account{Username: "herd.example", URI: "https://herd.example/actor", ActorType: storage.ActorApplication}
		require.NoError(t, s.Accounts().Create(ctx, inst))
		alice := user("alice", nil)
		pending := user("pending_pat", func(_ *storage.Account, u *storage.User) { u.Approved = false })
		disabled := user("dis", func(_ *storage.Account, u *storage.User) { u.Disabled = true })
		moder := user("moder", func(_ *storage.Account, u *storage.User) { u.Role = storage.RoleModerator })
		owner := user("boss", func(a *storage.Account, u *storage.User) { u.Role = storage.RoleOwner; a.DisplayName = "The 100% Boss" })
		silenced := user("quiet", func(a *storage.Account, _ *storage.User) { a.SilencedAt = &now })
		suspended := user("gone", func(a *storage.Account, _ *storage.User) { a.SuspendedAt = &now })
		remote := modAccount(t, s, "Remote.example")
		remoteSus := modAccount(t, s, "other.example")
		remoteSus.SuspendedAt = &now
		require.NoError(t, s.Accounts().Update(ctx, remoteSus))

		list := func(f storage.AdminAccountFilter) []storage.ID {
			t.Helper()
			out, err := s.AdminAccounts().List(ctx, f, storage.Page{})
			require.NoError(t, err)
			return accountIDs(out)
		}
		all := list(storage.AdminAccountFilter{})
		assert.Equal(t, []storage.ID{remoteSus.ID, remote.ID, suspended.ID, silenced.ID, owner.ID, moder.ID, disabled.ID, pending.ID, alice.ID}, all,
			"newest first, without the instance actor")
		assert.ElementsMatch(t, []storage.ID{suspended.ID, silenced.ID, owner.ID, moder.ID, disabled.ID, pending.ID, alice.ID}, list(storage.AdminAccountFilter{Origin: "local"}))
		assert.ElementsMatch(t, []storage.ID{remote.ID, remoteSus.ID}, list(storage.AdminAccountFilter{Origin: "remote"}))
		assert.ElementsMatch(t, []storage.ID{pending.ID}, list(storage.AdminAccountFilter{Status: "pending"}))
		assert.ElementsMatch(t, []storage.ID{disabled.ID}, list(storage.AdminAccountFilter{Status: "disabled"}))
		assert.ElementsMatch(t, []storage.ID{silenced.ID}, list(storage.AdminAccountFilter{Status: "silenced"}))
		assert.ElementsMatch(t, []storage.ID{suspended.ID, remoteSus.ID}, list(storage.AdminAccountFilter{Status: "suspended"}))
		assert.ElementsMatch(t, []storage.ID{suspended.ID}, list(storage.AdminAccountFilter{Status: "suspended", Origin: "local"}))
		assert.Len(t, list(storage.AdminAccountFilter{Status: "active"}), 7)
		assert.ElementsMatch(t, []storage.ID{moder.ID, owner.ID}, list(storage.AdminAccountFilter{Staff: true}))
		assert.ElementsMatch(t, []storage.ID{owner.ID}, list(storage.AdminAccountFilter{Roles: []storage.Role{storage.RoleOwner, storage.RoleUser}, Staff: true}))
		assert.Empty(t, list(storage.AdminAccountFilter{Roles: []storage.Role{storage.RoleUser}, Staff: true}))
		assert.ElementsMatch(t, []storage.ID{alice.ID}, list(storage.AdminAccountFilter{Username: "ALI"}))
		assert.Empty(t, list(storage.AdminAccountFilter{Username: "lice"}), "username is a prefix")
		assert.ElementsMatch(t, []storage.ID{owner.ID}, list(storage.AdminAccountFilter{DisplayName: "100%"}))
		assert.Empty(t, list(storage.AdminAccountFilter{DisplayName: "1_0"}), "LIKE wildcards are literal")
		assert.ElementsMatch(t, []storage.ID{remote.ID}, list(storage.AdminAccountFilter{Domain: "REMOTE.example"}))
		assert.ElementsMatch(t, []storage.ID{moder.ID}, list(storage.AdminAccountFilter{Email: "MODER@mail"}))
		assert.ElementsMatch(t, []storage.ID{alice.ID, remote.ID}, list(storage.AdminAccountFilter{IDs: []storage.ID{alice.ID, remote.ID, inst.ID}}))
		_, err := s.AdminAccounts().List(ctx, storage.AdminAccountFilter{Status: "weird"}, storage.Page{})
		assert.ErrorIs(t, err, storage.ErrInvalid)
		_, err = s.AdminAccounts().List(ctx, storage.AdminAccountFilter{Origin: "mars"}, storage.Page{})
		assert.ErrorIs(t, err, storage.ErrInvalid)

		page, err := s.AdminAccounts().List(ctx, storage.AdminAccountFilter{}, storage.Page{Limit: 3, MaxID: all[1]})
		require.NoError(t, err)
		assert.Equal(t, all[2:5], accountIDs(page))
		page, err = s.AdminAccounts().List(ctx, storage.AdminAccountFilter{}, storage.Page{Limit: 2, MinID: all[5]})
		require.NoError(t, err)
		assert.Equal(t, all[3:5], accountIDs(page))
	})
}
