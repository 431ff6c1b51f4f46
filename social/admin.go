package social

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// Events of moderation (see Event).
const (
	// EventAccountSuspended: Actor is the suspended account (local or
	// remote), Target the moderator (nil from the command line).
	// Federation sends Delete(actor) for a local account.
	EventAccountSuspended EventType = "account.suspended"
	// EventAccountUnsuspended: Actor is the restored account, Target the
	// moderator. Federation sends Update(actor) for a local account.
	EventAccountUnsuspended EventType = "account.unsuspended"
	// EventReportForwarded: Report is a report about a remote account
	// that is to be sent to its server as a Flag from the instance actor;
	// Target is the reported account, ForwardTo lists extra actor IRIs
	// whose servers also receive it (forward_to_domains).
	EventReportForwarded EventType = "report.forwarded"
)

// Audit actions written by the moderation methods.
const (
	AuditAccountApprove     = "account.approve"
	AuditAccountReject      = "account.reject"
	AuditAccountWarn        = "account.warn" // action "none"
	AuditAccountSensitive   = "account.sensitive"
	AuditAccountUnsensitive = "account.unsensitive"
	AuditAccountDisable     = "account.disable"
	AuditAccountEnable      = "account.enable"
	AuditAccountSilence     = "account.silence"
	AuditAccountUnsilence   = "account.unsilence"
	AuditAccountSuspend     = "account.suspend"
	AuditAccountUnsuspend   = "account.unsuspend"
	AuditAccountDeleteData  = "account.delete_data"
	AuditReportAssign       = "report.assign"
	AuditReportUnassign     = "report.unassign"
	AuditReportResolve      = "report.resolve"
	AuditReportReopen       = "report.reopen"
	AuditReportUpdate       = "report.update"
	AuditReportNote         = "report.note"
	AuditRuleCreate         = "rule.create"
	AuditRuleUpdate         = "rule.update"
	AuditRuleDelete         = "rule.delete"
)

// ExtraDeletedAt marks (in Account.Extra) a suspended account whose data a
// moderator deleted: it can no longer be unsuspended.
const ExtraDeletedAt = "herd:deleted_at"

// Moderator is who performs a moderation action: a local staff account,
// or nil for the server itself (the command line), which may do anything.
// Every method taking a Moderator checks that a non-nil one has the
// moderator role or above (ErrForbidden otherwise), whatever the HTTP
// layer already checked.
type Moderator = *storage.Account

// checkStaff loads mod's user and checks its role.
func checkStaff(ctx context.Context, tx storage.Store, mod Moderator) error {
	if mod == nil {
		return nil
	}
	u, err := tx.Users().GetByAccountID(ctx, mod.ID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("moderator %s has no user: %w", mod.ID, ErrForbidden)
		}
		return fmt.Errorf("load moderator: %w", err)
	}
	if !u.Role.AtLeast(storage.RoleModerator) {
		return fmt.Errorf("account %s is not staff: %w", mod.ID, ErrForbidden)
	}
	return nil
}

// checkAdmin is checkStaff for the actions Mastodon reserves to admins
// (its manage_federation and delete_user_data permissions): domain blocks
// and allows, and deleting an account's data.
func checkAdmin(ctx context.Context, tx storage.Store, mod Moderator) error {
	if mod == nil {
		return nil
	}
	u, err := tx.Users().GetByAccountID(ctx, mod.ID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("admin %s has no user: %w", mod.ID, ErrForbidden)
		}
		return fmt.Errorf("load admin: %w", err)
	}
	if !u.Role.AtLeast(storage.RoleAdmin) {
		return fmt.Errorf("account %s is not an admin: %w", mod.ID, ErrForbidden)
	}
	return nil
}

func modName(mod Moderator) string {
	if mod == nil {
		return "the server"
	}
	return mod.Acct()
}

// audit writes one audit-log entry.
func (s *Service) audit(ctx context.Context, tx storage.Store, mod Moderator, action, targetType string, targetID storage.ID, summary string) error {
	e := &storage.AuditEntry{AccountID: viewerID(mod), Action: action, TargetType: targetType, TargetID: targetID,
		Summary: summary, CreatedAt: s.now()}
	if err := tx.AuditLog().Add(ctx, e); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// modAccount loads the target of a moderation action (suspended accounts
// included; never the instance actor).
func (s *Service) modAccount(ctx context.Context, tx storage.Store, id storage.ID) (*storage.Account, error) {
	a, err := tx.Accounts().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "account %s", id)
	}
	if a.URI == s.urls.InstanceActor() {
		return nil, fmt.Errorf("account %s is the instance actor: %w", id, ErrNotFound)
	}
	return a, nil
}

// modUser loads the user of a local target, ErrInvalid for a remote one.
func modUser(ctx context.Context, tx storage.Store, a *storage.Account, what string) (*storage.User, error) {
	if !a.Local() {
		return nil, invalid("account", "is remote: only local accounts can be %s", what)
	}
	u, err := tx.Users().GetByAccountID(ctx, a.ID)
	if err != nil {
		return nil, notFound(err, "user of %s", a.ID)
	}
	return u, nil
}

// AccountActionType is the type of POST /api/v1/admin/accounts/:id/action.
type AccountActionType string

// Account action types.
const (
	ActionNone      AccountActionType = "none" // a warning only
	ActionSensitive AccountActionType = "sensitive"
	ActionDisable   AccountActionType = "disable"
	ActionSilence   AccountActionType = "silence"
	ActionSuspend   AccountActionType = "suspend"
)

// AccountAction is a moderator's action against an account.
type AccountAction struct {
	Type AccountActionType
	// ReportID, when set, is resolved by the action (it must be about the
	// account).
	ReportID storage.ID
	// Text explains the action to the account (shown in its warning).
	Text string
}

// TakeAccountAction applies a moderation action to an account, records it
// as an AccountWarning (returned), resolves the report it answers, tells
// a local account with a moderation_warning notification (but when
// suspended) and writes the audit log:
//
//   - none: a warning only.
//   - sensitive: the account's media are always shown as sensitive.
//   - disable (local accounts): the user cannot sign in; its tokens are
//     revoked.
//   - silence: the account is limited (see Service.Limited).
//   - suspend: the account and its content disappear from this server;
//     tokens are revoked; a local account's deletion is sent to other
//     servers; a remote account's follows of local accounts are rejected.
func (s *Service) TakeAccountAction(ctx context.Context, mod Moderator, targetID storage.ID, in AccountAction) (*storage.AccountWarning, error) {
	if len(in.Text) > 5000 {
		return nil, invalid("text", "must be at most 5000 characters")
	}
	var out *storage.AccountWarning
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		a, err := s.modAccount(ctx, tx, targetID)
		if err != nil {
			return err
		}
		if mod != nil && a.ID == mod.ID {
			return fmt.Errorf("cannot moderate oneself: %w", ErrForbidden)
		}
		if err := s.protectStaff(ctx, tx, mod, a); err != nil {
			return err
		}
		var rep *storage.Report
		if in.ReportID != 0 {
			if rep, err = tx.Reports().Get(ctx, in.ReportID); err != nil {
				return notFound(err, "report %s", in.ReportID)
			}
			if rep.TargetAccountID != a.ID {
				return invalid("report_id", "is not about this account")
			}
		}
		warn := &storage.AccountWarning{ID: tx.NewID(), AccountID: viewerID(mod), TargetAccountID: a.ID, Text: in.Text,
			ReportID: in.ReportID, CreatedAt: s.now()}
		if rep != nil {
			warn.StatusIDs = rep.StatusIDs
		}
		var action, verb string
		switch in.Type {
		case ActionNone, "":
			warn.Action, action, verb = storage.WarnNone, AuditAccountWarn, "warned"
		case ActionSensitive:
			warn.Action, action, verb = storage.WarnSensitive, AuditAccountSensitive, "marked as sensitive"
			a.Sensitized = true
			err = tx.Accounts().Update(ctx, a)
		case ActionSilence:
			warn.Action, action, verb = storage.WarnSilence, AuditAccountSilence, "limited"
			if a.SilencedAt == nil {
				now := s.now()
				a.SilencedAt = &now
				err = tx.Accounts().Update(ctx, a)
			}
		case ActionDisable:
			warn.Action, action, verb = storage.WarnDisable, AuditAccountDisable, "disabled the login of"
			err = s.setDisabled(ctx, tx, a, true)
		case ActionSuspend:
			warn.Action, action, verb = storage.WarnSuspend, AuditAccountSuspend, "suspended"
			err = s.suspend(ctx, tx, ev, mod, a)
		default:
			return invalid("type", "must be none, sensitive, disable, silence or suspend")
		}
		if err != nil {
			return fmt.Errorf("%s: %w", in.Type, err)
		}
		if err := tx.AccountWarnings().Create(ctx, warn); err != nil {
			return err
		}
		if rep != nil && rep.ActionTakenAt == nil {
			now := s.now()
			rep.ActionTakenAt, rep.ActionTakenByAccountID = &now, viewerID(mod)
			if err := tx.Reports().Update(ctx, rep); err != nil {
				return fmt.Errorf("resolve report: %w", err)
			}
		}
		if a.Local() && warn.Action != storage.WarnSuspend {
			if err := s.notifyExtra(ctx, tx, ev, a, a, storage.NotifyModeration, "warning_id", warn.ID); err != nil {
				return err
			}
		}
		summary := fmt.Sprintf("%s %s %s", modName(mod), verb, a.Acct())
		if in.Text != "" {
			summary += ": " + in.Text
		}
		out = warn
		return s.audit(ctx, tx, mod, action, "account", a.ID, summary)
	})
	if err != nil {
		return nil, fmt.Errorf("moderate account %s: %w", targetID, err)
	}
	return out, nil
}

// protectStaff keeps moderators from acting against staff of a rank at
// least their own (an admin may act on a moderator, not the reverse).
func (s *Service) protectStaff(ctx context.Context, tx storage.Store, mod Moderator, a *storage.Account) error {
	if mod == nil || !a.Local() {
		return nil
	}
	u, err := tx.Users().GetByAccountID(ctx, a.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load user: %w", err)
	}
	mu, err := tx.Users().GetByAccountID(ctx, mod.ID)
	if err != nil {
		return fmt.Errorf("load moderator: %w", err)
	}
	if u.Role.AtLeast(storage.RoleModerator) && !mu.Role.AtLeast(nextRole(u.Role)) {
		return fmt.Errorf("%s is staff of the same or a higher role: %w", a.Acct(), ErrForbidden)
	}
	return nil
}

func nextRole(r storage.Role) storage.Role {
	switch r {
	case storage.RoleUser:
		return storage.RoleModerator
	case storage.RoleModerator:
		return storage.RoleAdmin
	case storage.RoleAdmin:
		return storage.RoleOwner
	}
	return "none" // nobody outranks an owner
}

func (s *Service) setDisabled(ctx context.Context, tx storage.Store, a *storage.Account, disabled bool) error {
	u, err := modUser(ctx, tx, a, "disabled")
	if err != nil {
		return err
	}
	if u.Disabled != disabled {
		u.Disabled = disabled
		if err := tx.Users().Update(ctx, u); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
	}
	if disabled {
		if err := tx.OAuth().RevokeAccountTokens(ctx, a.ID); err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
	}
	return nil
}

// suspend marks a suspended and applies what suspension does at once; the
// rest (hiding its content) follows from the mark wherever content is
// read.
func (s *Service) suspend(ctx context.Context, tx storage.Store, ev *events, mod Moderator, a *storage.Account) error {
	if a.SuspendedAt != nil {
		return nil
	}
	now := s.now()
	a.SuspendedAt = &now
	if err := tx.Accounts().Update(ctx, a); err != nil {
		return fmt.Errorf("suspend: %w", err)
	}
	if a.Local() {
		if err := tx.OAuth().RevokeAccountTokens(ctx, a.ID); err != nil {
			return fmt.Errorf("revoke tokens: %w", err)
		}
	} else {
		// A remote account keeps reading what its server receives: reject
		// its follows of local accounts so that it stops receiving their
		// posts (not undone by unsuspension, as on Mastodon).
		if err := s.rejectFollowsOf(ctx, tx, ev, a); err != nil {
			return err
		}
	}
	ev.add(Event{Type: EventAccountSuspended, Actor: a, Target: mod})
	return nil
}

// rejectFollowsOf removes a remote account's follows of local accounts
// (and its pending requests), announcing a follow.rejected for each.
func (s *Service) rejectFollowsOf(ctx context.Context, tx storage.Store, ev *events, a *storage.Account) error {
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		fs, err := tx.Follows().Following(ctx, a.ID, p)
		if err != nil {
			return fmt.Errorf("follows of %s: %w", a.ID, err)
		}
		ids := make([]storage.ID, len(fs))
		for i, f := range fs {
			ids[i] = f.TargetAccountID
		}
		targets, err := tx.Accounts().GetMany(ctx, ids)
		if err != nil {
			return fmt.Errorf("followed accounts: %w", err)
		}
		byID := make(map[storage.ID]*storage.Account, len(targets))
		for _, t := range targets {
			byID[t.ID] = t
		}
		for _, f := range fs {
			t := byID[f.TargetAccountID]
			if t == nil || !t.Local() {
				continue
			}
			if err := deleteFollow(ctx, tx, a.ID, t.ID, false); err != nil {
				return err
			}
			ev.add(Event{Type: EventFollowRejected, Actor: t, Target: a, Follow: f})
		}
		if len(fs) < p.Limit {
			break
		}
		p.MaxID = fs[len(fs)-1].ID
	}
	return nil
}

// ApproveAccount approves a pending sign-up.
func (s *Service) ApproveAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.userAction(ctx, mod, id, AuditAccountApprove, "approved", func(tx storage.Store, _ *events, a *storage.Account, u *storage.User) error {
		if u.Approved {
			return invalid("account", "is not pending approval")
		}
		u.Approved = true
		return tx.Users().Update(ctx, u)
	})
}

// RejectAccount rejects a pending sign-up: the account and its user are
// deleted.
func (s *Service) RejectAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.userAction(ctx, mod, id, AuditAccountReject, "rejected the sign-up of", func(tx storage.Store, _ *events, a *storage.Account, u *storage.User) error {
		if u.Approved {
			return invalid("account", "is not pending approval")
		}
		return tx.Accounts().Delete(ctx, a.ID)
	})
}

// EnableAccount lets a disabled user sign in again.
func (s *Service) EnableAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.userAction(ctx, mod, id, AuditAccountEnable, "enabled the login of", func(tx storage.Store, _ *events, a *storage.Account, u *storage.User) error {
		return s.setDisabled(ctx, tx, a, false)
	})
}

// userAction runs an action on a local account's user, with the audit entry.
func (s *Service) userAction(ctx context.Context, mod Moderator, id storage.ID, action, verb string, fn func(tx storage.Store, ev *events, a *storage.Account, u *storage.User) error) error {
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		a, err := s.modAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.protectStaff(ctx, tx, mod, a); err != nil {
			return err
		}
		u, err := modUser(ctx, tx, a, verb)
		if err != nil {
			return err
		}
		if err := fn(tx, ev, a, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, mod, action, "account", a.ID, fmt.Sprintf("%s %s %s", modName(mod), verb, a.Acct()))
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return nil
}

// accountAction runs an action on an account (local or remote), with the
// audit entry.
func (s *Service) accountAction(ctx context.Context, mod Moderator, id storage.ID, action, verb string, fn func(tx storage.Store, ev *events, a *storage.Account) error) error {
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		a, err := s.modAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := s.protectStaff(ctx, tx, mod, a); err != nil {
			return err
		}
		if err := fn(tx, ev, a); err != nil {
			return err
		}
		return s.audit(ctx, tx, mod, action, "account", a.ID, fmt.Sprintf("%s %s %s", modName(mod), verb, a.Acct()))
	})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, id, err)
	}
	return nil
}

// UnsilenceAccount lifts a limit.
func (s *Service) UnsilenceAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.accountAction(ctx, mod, id, AuditAccountUnsilence, "lifted the limit of", func(tx storage.Store, _ *events, a *storage.Account) error {
		if a.SilencedAt == nil {
			return nil
		}
		a.SilencedAt = nil
		return tx.Accounts().Update(ctx, a)
	})
}

// UnsensitiveAccount stops forcing the account's media sensitive.
func (s *Service) UnsensitiveAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.accountAction(ctx, mod, id, AuditAccountUnsensitive, "lifted the sensitive mark of", func(tx storage.Store, _ *events, a *storage.Account) error {
		if !a.Sensitized {
			return nil
		}
		a.Sensitized = false
		return tx.Accounts().Update(ctx, a)
	})
}

// UnsuspendAccount restores a suspended account whose data was not deleted:
// it and its content are visible again and, for a local account, other
// servers are sent its profile again (Update). Follows rejected when a
// remote account was suspended do not come back.
func (s *Service) UnsuspendAccount(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.accountAction(ctx, mod, id, AuditAccountUnsuspend, "unsuspended", func(tx storage.Store, ev *events, a *storage.Account) error {
		if a.SuspendedAt == nil {
			return invalid("account", "is not suspended")
		}
		if _, deleted := a.Extra[ExtraDeletedAt]; deleted {
			return invalid("account", "data was deleted: it cannot be unsuspended")
		}
		a.SuspendedAt = nil
		if err := tx.Accounts().Update(ctx, a); err != nil {
			return err
		}
		ev.add(Event{Type: EventAccountUnsuspended, Actor: a, Target: mod})
		return nil
	})
}

// DeleteAccountData permanently deletes the content of a suspended
// account: its statuses (with their boosts, favourites, notifications),
// follows both ways, follow requests and profile. The account record stays
// as a tombstone (its key still signs queued deliveries; its username
// cannot be taken again) and can no longer be unsuspended.
func (s *Service) DeleteAccountData(ctx context.Context, mod Moderator, id storage.ID) error {
	return s.accountAction(ctx, mod, id, AuditAccountDeleteData, "deleted the data of", func(tx storage.Store, _ *events, a *storage.Account) error {
		if err := checkAdmin(ctx, tx, mod); err != nil {
			return err
		}
		if a.SuspendedAt == nil {
			return invalid("account", "must be suspended first")
		}
		for {
			sts, err := tx.Statuses().ByAccount(ctx, a.ID, storage.StatusFilter{}, storage.Page{Limit: storage.MaxLimit})
			if err != nil {
				return fmt.Errorf("statuses: %w", err)
			}
			for _, st := range sts {
				if err := tx.Statuses().Delete(ctx, st.ID); err != nil {
					return fmt.Errorf("delete status %s: %w", st.ID, err)
				}
			}
			if len(sts) < storage.MaxLimit {
				break
			}
		}
		if err := dropFollows(ctx, tx, a); err != nil {
			return err
		}
		a.DisplayName, a.Note, a.NoteSource = "", "", ""
		a.AvatarURL, a.AvatarRemoteURL, a.HeaderURL, a.HeaderRemoteURL = "", "", "", ""
		a.Fields, a.Emojis = storage.Fields{}, storage.Emojis{}
		if a.Extra == nil {
			a.Extra = storage.Extra{}
		}
		stamp, _ := json.Marshal(s.now())
		a.Extra[ExtraDeletedAt] = stamp
		if err := tx.Accounts().Update(ctx, a); err != nil {
			return err
		}
		return tx.Accounts().AdjustCounts(ctx, a.ID, -a.StatusesCount, 0, 0, nil)
	})
}

// dropFollows removes every follow and follow request from and to a.
func dropFollows(ctx context.Context, tx storage.Store, a *storage.Account) error {
	for _, following := range []bool{true, false} {
		for {
			var fs []*storage.Follow
			var err error
			if following {
				fs, err = tx.Follows().Following(ctx, a.ID, storage.Page{Limit: storage.MaxLimit})
			} else {
				fs, err = tx.Follows().Followers(ctx, a.ID, storage.Page{Limit: storage.MaxLimit})
			}
			if err != nil {
				return fmt.Errorf("follows: %w", err)
			}
			for _, f := range fs {
				if err := deleteFollow(ctx, tx, f.AccountID, f.TargetAccountID, true); err != nil {
					return err
				}
			}
			if len(fs) < storage.MaxLimit {
				break
			}
		}
	}
	for {
		rs, err := tx.Follows().Requests(ctx, a.ID, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return fmt.Errorf("follow requests: %w", err)
		}
		for _, r := range rs {
			if err := tx.Follows().DeleteRequest(ctx, r.AccountID, r.TargetAccountID); err != nil {
				return fmt.Errorf("delete follow request: %w", err)
			}
		}
		if len(rs) < storage.MaxLimit {
			break
		}
	}
	return nil
}

// notifyExtra creates a notification carrying one ID in its Extra (a
// report, a warning), without the block and mute checks of notify: staff
// and moderation notifications always arrive.
func (s *Service) notifyExtra(ctx context.Context, tx storage.Store, ev *events, recipient, from *storage.Account, typ storage.NotificationType, key string, id storage.ID) error {
	raw, _ := json.Marshal(id.String())
	n := &storage.Notification{AccountID: recipient.ID, FromAccountID: from.ID, Type: typ, CreatedAt: s.now(),
		Extra: storage.Extra{key: raw}}
	if err := tx.Notifications().Create(ctx, n); err != nil {
		return fmt.Errorf("create %s notification: %w", typ, err)
	}
	ev.add(Event{Type: EventNotificationCreated, Actor: from, Target: recipient, Notification: n})
	return nil
}

// NotificationExtraID returns the ID kept under key in a notification's
// Extra ("report_id" of admin.report, "warning_id" of moderation_warning),
// or zero.
func NotificationExtraID(n *storage.Notification, key string) storage.ID {
	var s string
	if raw, ok := n.Extra[key]; !ok || json.Unmarshal(raw, &s) != nil {
		return 0
	}
	id, err := storage.ParseID(s)
	if err != nil {
		return 0
	}
	return id
}

// staff lists the local accounts with the moderator role or above that
// may act (not suspended).
func staff(ctx context.Context, tx storage.Store) ([]*storage.Account, error) {
	accts, err := tx.AdminAccounts().List(ctx, storage.AdminAccountFilter{Staff: true, Status: "active"}, storage.Page{Limit: storage.AdminMaxLimit})
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	return accts, nil
}

// NotifySignUp tells staff that a local account signed up (admin.sign_up).
func (s *Service) NotifySignUp(ctx context.Context, account *storage.Account) error {
	return s.tx(ctx, func(tx storage.Store, ev *events) error {
		mods, err := staff(ctx, tx)
		if err != nil {
			return err
		}
		for _, m := range mods {
			if m.ID == account.ID {
				continue
			}
			n := &storage.Notification{AccountID: m.ID, FromAccountID: account.ID, Type: storage.NotifySignUp, CreatedAt: s.now()}
			if err := tx.Notifications().Create(ctx, n); err != nil {
				return fmt.Errorf("notify sign-up: %w", err)
			}
			ev.add(Event{Type: EventNotificationCreated, Actor: account, Target: m, Notification: n})
		}
		return nil
	})
}

// AdminAccount is an account with its user (nil for remote accounts), as
// moderators see it.
type AdminAccount struct {
	Account *storage.Account
	User    *storage.User
}

// AdminAccounts pages through accounts for moderators.
func (s *Service) AdminAccounts(ctx context.Context, mod Moderator, f storage.AdminAccountFilter, p storage.Page) ([]AdminAccount, error) {
	if err := checkStaff(ctx, s.store, mod); err != nil {
		return nil, err
	}
	accts, err := s.store.AdminAccounts().List(ctx, f, p)
	if errors.Is(err, storage.ErrInvalid) {
		return nil, invalid("filter", "%v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("admin accounts: %w", err)
	}
	out := make([]AdminAccount, 0, len(accts))
	for _, a := range accts {
		e := AdminAccount{Account: a}
		if a.Local() {
			if e.User, err = s.store.Users().GetByAccountID(ctx, a.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return nil, fmt.Errorf("admin accounts: user: %w", err)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// GetAdminAccount returns one account with its user, suspended or not.
func (s *Service) GetAdminAccount(ctx context.Context, mod Moderator, id storage.ID) (*AdminAccount, error) {
	if err := checkStaff(ctx, s.store, mod); err != nil {
		return nil, err
	}
	a, err := s.modAccount(ctx, s.store, id)
	if err != nil {
		return nil, err
	}
	out := &AdminAccount{Account: a}
	if a.Local() {
		if out.User, err = s.store.Users().GetByAccountID(ctx, a.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("admin account: user: %w", err)
		}
	}
	return out, nil
}

// AccountByHandle finds an account by username (local) or user@domain,
// suspended accounts included, for the command line.
func (s *Service) AccountByHandle(ctx context.Context, handle string) (*storage.Account, error) {
	user, domain, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(handle), "@"), "@")
	if strings.EqualFold(domain, s.urls.Host()) {
		domain = ""
	}
	a, err := s.store.Accounts().GetByUsername(ctx, user, domain)
	if err != nil {
		return nil, notFound(err, "account %s", handle)
	}
	return a, nil
}
