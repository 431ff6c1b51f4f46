package mastoapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// registerAdminRoutes declares reports, instance rules and the admin API
// (accounts and reports) for staff.
func (a *API) registerAdminRoutes() {
	const (
		get  = http.MethodGet
		post = http.MethodPost
		put  = http.MethodPut
		del  = http.MethodDelete
	)
	staff := func(scopes ...string) RouteOptions {
		return RouteOptions{Auth: AuthUser, Scopes: scopes, MinRole: storage.RoleModerator}
	}
	readAccounts, writeAccounts := staff("admin:read:accounts"), staff("admin:write:accounts")
	readReports, writeReports := staff("admin:read:reports"), staff("admin:write:reports")

	a.Handle(post, "/api/v1/reports", RouteOptions{Auth: AuthUser, Scopes: []string{"write:reports"}}, a.createReport)

	const account = "/api/v1/admin/accounts/{id:[0-9]+}"
	a.Handle(get, "/api/v1/admin/accounts", readAccounts, a.adminAccountsV1)
	a.Handle(get, "/api/v2/admin/accounts", readAccounts, a.adminAccountsV2)
	a.Handle(get, account, readAccounts, a.adminAccount)
	deleteData := writeAccounts
	deleteData.MinRole = storage.RoleAdmin // Mastodon's delete_user_data
	a.Handle(del, account, deleteData, a.adminAccountOp(a.svc.DeleteAccountData))
	a.Handle(post, account+"/action", writeAccounts, a.adminAccountAction)
	a.Handle(post, account+"/approve", writeAccounts, a.adminAccountOp(a.svc.ApproveAccount))
	a.Handle(post, account+"/reject", writeAccounts, a.adminAccountOp(a.svc.RejectAccount))
	a.Handle(post, account+"/enable", writeAccounts, a.adminAccountOp(a.svc.EnableAccount))
	a.Handle(post, account+"/unsilence", writeAccounts, a.adminAccountOp(a.svc.UnsilenceAccount))
	a.Handle(post, account+"/unsuspend", writeAccounts, a.adminAccountOp(a.svc.UnsuspendAccount))
	a.Handle(post, account+"/unsensitive", writeAccounts, a.adminAccountOp(a.svc.UnsensitiveAccount))

	const report = "/api/v1/admin/reports/{id:[0-9]+}"
	a.Handle(get, "/api/v1/admin/reports", readReports, a.adminReports)
	a.Handle(get, report, readReports, a.adminReport)
	a.Handle(put, report, writeReports, a.updateAdminReport)
	a.Handle(post, report+"/assign_to_self", writeReports, a.adminReportOp(func(ctx context.Context, mod *storage.Account, id storage.ID) (*storage.Report, error) {
		return a.svc.AssignReport(ctx, mod, id, mod.ID)
	}))
	a.Handle(post, report+"/unassign", writeReports, a.adminReportOp(func(ctx context.Context, mod *storage.Account, id storage.ID) (*storage.Report, error) {
		return a.svc.AssignReport(ctx, mod, id, 0)
	}))
	a.Handle(post, report+"/resolve", writeReports, a.adminReportOp(a.svc.ResolveReport))
	a.Handle(post, report+"/reopen", writeReports, a.adminReportOp(a.svc.ReopenReport))
}

// ---- entities ----

// ReportEntity is the Mastodon Report entity (what the reporter sees).
type ReportEntity struct {
	ID            string   `json:"id"`
	ActionTaken   bool     `json:"action_taken"`
	ActionTakenAt *Time    `json:"action_taken_at"`
	Category      string   `json:"category"`
	Comment       string   `json:"comment"`
	Forwarded     bool     `json:"forwarded"`
	CreatedAt     Time     `json:"created_at"`
	StatusIDs     []string `json:"status_ids"`
	RuleIDs       []string `json:"rule_ids"`
	TargetAccount *Account `json:"target_account"`
}

func idStrings(ids []storage.ID) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, id.String())
	}
	return out
}

// ReportToAPI converts a report with its rendered target account.
func ReportToAPI(r *storage.Report, target *Account) *ReportEntity {
	return &ReportEntity{ID: r.ID.String(), ActionTaken: r.Resolved(), ActionTakenAt: TimePtr(r.ActionTakenAt),
		Category: string(r.Category), Comment: r.Comment, Forwarded: r.Forwarded, CreatedAt: Time(r.CreatedAt),
		StatusIDs: idStrings(r.StatusIDs), RuleIDs: idStrings(r.RuleIDs), TargetAccount: target}
}

// Role IDs as RoleToAPI gives them (Mastodon's "everyone" role is -99).
const (
	roleIDUser      = "-99"
	roleIDModerator = "1"
	roleIDAdmin     = "2"
	roleIDOwner     = "3"
)

func roleOfID(id string) (storage.Role, bool) {
	switch id {
	case roleIDUser:
		return storage.RoleUser, true
	case roleIDModerator:
		return storage.RoleModerator, true
	case roleIDAdmin:
		return storage.RoleAdmin, true
	case roleIDOwner:
		return storage.RoleOwner, true
	}
	return "", false
}

// AdminIP is the Mastodon Admin::Ip entity (no addresses are kept).
type AdminIP struct {
	IP     string `json:"ip"`
	UsedAt Time   `json:"used_at"`
}

// AdminAccountEntity is the Mastodon Admin::Account entity.
type AdminAccountEntity struct {
	ID                     string    `json:"id"`
	Username               string    `json:"username"`
	Domain                 *string   `json:"domain"`
	CreatedAt              Time      `json:"created_at"`
	Email                  string    `json:"email"`
	IP                     *string   `json:"ip"`
	IPs                    []AdminIP `json:"ips"`
	Locale                 string    `json:"locale"`
	InviteRequest          *string   `json:"invite_request"`
	Role                   *Role     `json:"role"`
	Confirmed              bool      `json:"confirmed"`
	Approved               bool      `json:"approved"`
	Disabled               bool      `json:"disabled"`
	Silenced               bool      `json:"silenced"`
	Suspended              bool      `json:"suspended"`
	Sensitized             bool      `json:"sensitized"`
	Account                *Account  `json:"account"`
	CreatedByApplicationID *string   `json:"created_by_application_id,omitempty"`
	InvitedByAccountID     *string   `json:"invited_by_account_id,omitempty"`
}

// AdminAccountToAPI converts an account and its user (nil for remote ones).
func AdminAccountToAPI(acct *storage.Account, u *storage.User, urls *social.URLs) *AdminAccountEntity {
	out := &AdminAccountEntity{ID: acct.ID.String(), Username: acct.Username, Domain: strPtr(acct.Domain),
		CreatedAt: Time(acct.CreatedAt), IPs: []AdminIP{},
		Silenced: acct.SilencedAt != nil, Suspended: acct.SuspendedAt != nil, Sensitized: acct.Sensitized,
		Account: AccountToAPI(acct, urls)}
	if u != nil {
		out.Email, out.Locale, out.InviteRequest = u.Email, u.Locale, strPtr(u.SignUpReason)
		role := RoleToAPI(u.Role)
		out.Role = &role
		out.Confirmed, out.Approved, out.Disabled = u.ConfirmedAt != nil, u.Approved, u.Disabled
		out.CreatedAt = Time(u.CreatedAt)
	} else {
		// Remote accounts are approved and confirmed by their server.
		role := RoleToAPI(storage.RoleUser)
		out.Role, out.Confirmed, out.Approved = &role, true, true
	}
	return out
}

// AdminReportEntity is the Mastodon Admin::Report entity.
type AdminReportEntity struct {
	ID                   string              `json:"id"`
	ActionTaken          bool                `json:"action_taken"`
	ActionTakenAt        *Time               `json:"action_taken_at"`
	Category             string              `json:"category"`
	Comment              string              `json:"comment"`
	Forwarded            bool                `json:"forwarded"`
	CreatedAt            Time                `json:"created_at"`
	UpdatedAt            Time                `json:"updated_at"`
	Account              *AdminAccountEntity `json:"account"`
	TargetAccount        *AdminAccountEntity `json:"target_account"`
	AssignedAccount      *AdminAccountEntity `json:"assigned_account"`
	ActionTakenByAccount *AdminAccountEntity `json:"action_taken_by_account"`
	Statuses             []*Status           `json:"statuses"`
	Rules                []RuleEntity        `json:"rules"`
}

// ---- helpers ----

// adminAccountEntity loads and renders one account for moderators (nil
// when it is gone).
func (a *API) adminAccountEntity(ctx context.Context, id storage.ID) (*AdminAccountEntity, error) {
	if id == 0 {
		return nil, nil
	}
	acct, err := a.store.Accounts().Get(ctx, id)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil
		}
		return nil, fmt.Errorf("admin: account %s: %w", id, err)
	}
	var u *storage.User
	if acct.Local() {
		if u, err = a.store.Users().GetByAccountID(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("admin: user %s: %w", id, err)
		}
	}
	return AdminAccountToAPI(acct, u, a.urls), nil
}

// storedRules returns the instance rules: the stored ones, else the
// configured ones (InstanceInfo.Rules, numbered from 1).
func (a *API) storedRules(ctx context.Context) ([]RuleEntity, error) {
	rules, err := a.store.Rules().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	if len(rules) == 0 {
		return RulesToAPI(a.info.Rules), nil
	}
	return StoredRulesToAPI(rules), nil
}

// StoredRulesToAPI converts stored rules to Rule entities.
func StoredRulesToAPI(rules []*storage.Rule) []RuleEntity {
	out := make([]RuleEntity, 0, len(rules))
	for _, r := range rules {
		out = append(out, RuleEntity{ID: r.ID.String(), Text: r.Text, Hint: r.Hint, Translations: map[string]any{}})
	}
	return out
}

func (a *API) renderAdminReport(ctx context.Context, viewer *storage.Account, r *storage.Report) (*AdminReportEntity, error) {
	out := &AdminReportEntity{ID: r.ID.String(), ActionTaken: r.Resolved(), ActionTakenAt: TimePtr(r.ActionTakenAt),
		Category: string(r.Category), Comment: r.Comment, Forwarded: r.Forwarded, CreatedAt: Time(r.CreatedAt),
		UpdatedAt: Time(r.UpdatedAt), Statuses: []*Status{}, Rules: []RuleEntity{}}
	var err error
	for _, x := range []struct {
		id  storage.ID
		dst **AdminAccountEntity
	}{{r.AccountID, &out.Account}, {r.TargetAccountID, &out.TargetAccount}, {r.AssignedAccountID, &out.AssignedAccount},
		{r.ActionTakenByAccountID, &out.ActionTakenByAccount}} {
		if *x.dst, err = a.adminAccountEntity(ctx, x.id); err != nil {
			return nil, err
		}
	}
	if out.Account == nil {
		// The reporter is gone (or a remote report came without one):
		// Mastodon shows the target's server's representative; show the
		// target rather than null, which the entity does not allow.
		out.Account = out.TargetAccount
	}
	if out.TargetAccount == nil {
		return nil, fmt.Errorf("report %s: target account: %w", r.ID, storage.ErrNotFound)
	}
	if len(r.StatusIDs) > 0 {
		sts, err := a.store.Statuses().GetMany(ctx, r.StatusIDs)
		if err != nil {
			return nil, fmt.Errorf("report statuses: %w", err)
		}
		// Moderators see the reported statuses whatever their visibility:
		// render them as their author would see them.
		author, _ := a.store.Accounts().Get(ctx, r.TargetAccountID)
		if author == nil {
			author = viewer
		}
		if out.Statuses, err = a.renderStatuses(ctx, author, sts); err != nil {
			return nil, err
		}
	}
	if len(r.RuleIDs) > 0 {
		rules, err := a.store.Rules().List(ctx)
		if err != nil {
			return nil, fmt.Errorf("report rules: %w", err)
		}
		want := map[storage.ID]bool{}
		for _, id := range r.RuleIDs {
			want[id] = true
		}
		var keep []*storage.Rule
		for _, ru := range rules {
			if want[ru.ID] {
				keep = append(keep, ru)
			}
		}
		out.Rules = StoredRulesToAPI(keep)
	}
	return out, nil
}

// ---- reports (users) ----

func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	id, err := p.ID("account_id")
	if err != nil {
		return err
	}
	if id == 0 {
		return NewError(http.StatusUnprocessableEntity, "Validation failed: account_id is missing")
	}
	in := social.ReportInput{AccountID: id, Comment: p.String("comment"), Category: storage.ReportCategory(p.String("category")),
		Forward: p.Bool("forward", false), ForwardToDomains: p.Strings("forward_to_domains")}
	if in.StatusIDs, err = parseIDs(p.Strings("status_ids")); err != nil {
		return err
	}
	if in.RuleIDs, err = parseIDs(p.Strings("rule_ids")); err != nil {
		return err
	}
	rep, err := a.svc.Report(r.Context(), viewerOf(r), in)
	if err != nil {
		return err
	}
	target, err := a.store.Accounts().Get(r.Context(), rep.TargetAccountID)
	if err != nil {
		return fmt.Errorf("report target: %w", err)
	}
	WriteJSON(w, http.StatusOK, ReportToAPI(rep, AccountToAPI(target, a.urls)))
	return nil
}

func parseIDs(ss []string) ([]storage.ID, error) {
	out := make([]storage.ID, 0, len(ss))
	for _, s := range ss {
		if s == "" {
			continue
		}
		id, err := storage.ParseID(s)
		if err != nil {
			return nil, NewError(http.StatusUnprocessableEntity, "Validation failed: invalid ID "+strconv.Quote(s))
		}
		out = append(out, id)
	}
	return out, nil
}

// ---- admin accounts ----

func (a *API) writeAdminAccounts(w http.ResponseWriter, r *http.Request, f storage.AdminAccountFilter) error {
	pg, err := ParamsOf(r).Page(storage.AdminDefaultLimit, storage.AdminMaxLimit)
	if err != nil {
		return err
	}
	list, err := a.svc.AdminAccounts(r.Context(), viewerOf(r), f, pg)
	if err != nil {
		return err
	}
	return writePaged(a, w, r, list, pg.Limit,
		func(e social.AdminAccount) *AdminAccountEntity { return AdminAccountToAPI(e.Account, e.User, a.urls) },
		func(e social.AdminAccount) storage.ID { return e.Account.ID })
}

// adminAccountsV1 lists accounts with the v1 filters (boolean flags).
func (a *API) adminAccountsV1(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	f := storage.AdminAccountFilter{Username: p.String("username"), DisplayName: p.String("display_name"),
		Domain: p.String("by_domain"), Email: p.String("email"), Staff: p.Bool("staff", false)}
	switch {
	case p.Bool("local", false):
		f.Origin = "local"
	case p.Bool("remote", false):
		f.Origin = "remote"
	}
	for _, st := range []string{"active", "pending", "disabled", "silenced", "suspended"} {
		if p.Bool(st, false) {
			f.Status = st
		}
	}
	return a.writeAdminAccounts(w, r, f)
}

// adminAccountsV2 lists accounts with the v2 filters.
func (a *API) adminAccountsV2(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	f := storage.AdminAccountFilter{Origin: p.String("origin"), Status: p.String("status"), Username: p.String("username"),
		DisplayName: p.String("display_name"), Domain: p.String("by_domain"), Email: p.String("email"),
		Staff: p.String("permissions") == "staff"}
	for _, id := range p.Strings("role_ids") {
		role, ok := roleOfID(id)
		if !ok {
			WriteJSON(w, http.StatusOK, []*AdminAccountEntity{})
			return nil
		}
		f.Roles = append(f.Roles, role)
	}
	return a.writeAdminAccounts(w, r, f)
}

func (a *API) adminAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := a.svc.GetAdminAccount(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, AdminAccountToAPI(e.Account, e.User, a.urls))
	return nil
}

// adminAccountOp runs an action on an account and answers with it (as it
// was before, when the action deleted it).
func (a *API) adminAccountOp(op func(ctx context.Context, mod social.Moderator, id storage.ID) error) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		before, err := a.svc.GetAdminAccount(r.Context(), viewerOf(r), id)
		if err != nil {
			return err
		}
		if err := op(r.Context(), viewerOf(r), id); err != nil {
			return err
		}
		after, err := a.svc.GetAdminAccount(r.Context(), viewerOf(r), id)
		if err != nil {
			after = before
		}
		WriteJSON(w, http.StatusOK, AdminAccountToAPI(after.Account, after.User, a.urls))
		return nil
	}
}

// adminAccountAction is POST /api/v1/admin/accounts/:id/action.
// warning_preset_id and send_email_notification are accepted and ignored
// (no presets, no mail).
func (a *API) adminAccountAction(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	reportID, err := p.ID("report_id")
	if err != nil {
		return err
	}
	typ := p.String("type")
	if typ == "" {
		typ = string(social.ActionNone)
	}
	if _, err := a.svc.TakeAccountAction(r.Context(), viewerOf(r), id, social.AccountAction{Type: social.AccountActionType(typ),
		ReportID: reportID, Text: p.String("text")}); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, struct{}{})
	return nil
}

// ---- admin reports ----

func (a *API) adminReports(w http.ResponseWriter, r *http.Request) error {
	p := ParamsOf(r)
	pg, err := p.Page(storage.AdminDefaultLimit, storage.AdminMaxLimit)
	if err != nil {
		return err
	}
	f := storage.ReportFilter{Resolved: p.BoolPtr("resolved")}
	if f.Resolved == nil {
		// Mastodon lists the unresolved reports unless told otherwise.
		f.Resolved = boolPtr(false)
	}
	if f.AccountID, err = p.ID("account_id"); err != nil {
		return err
	}
	if f.TargetAccountID, err = p.ID("target_account_id"); err != nil {
		return err
	}
	reps, err := a.svc.Reports(r.Context(), viewerOf(r), f, pg)
	if err != nil {
		return err
	}
	out := make([]*AdminReportEntity, 0, len(reps))
	for _, rep := range reps {
		e, err := a.renderAdminReport(r.Context(), viewerOf(r), rep)
		if err != nil {
			return err
		}
		out = append(out, e)
	}
	return writeRendered(a, w, r, reps, pg.Limit, func(rep *storage.Report) storage.ID { return rep.ID }, out)
}

func (a *API) writeAdminReport(w http.ResponseWriter, r *http.Request, rep *storage.Report) error {
	e, err := a.renderAdminReport(r.Context(), viewerOf(r), rep)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

func (a *API) adminReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := a.svc.GetReport(r.Context(), viewerOf(r), id)
	if err != nil {
		return err
	}
	return a.writeAdminReport(w, r, d.Report)
}

func (a *API) updateAdminReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	var cat *storage.ReportCategory
	if c := p.String("category"); c != "" {
		cc := storage.ReportCategory(c)
		cat = &cc
	}
	var rules []storage.ID
	if p.Has("rule_ids") {
		if rules, err = parseIDs(p.Strings("rule_ids")); err != nil {
			return err
		}
	}
	rep, err := a.svc.UpdateReport(r.Context(), viewerOf(r), id, cat, rules)
	if err != nil {
		return err
	}
	return a.writeAdminReport(w, r, rep)
}

func (a *API) adminReportOp(op func(ctx context.Context, mod *storage.Account, id storage.ID) (*storage.Report, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		rep, err := op(r.Context(), viewerOf(r), id)
		if err != nil {
			return err
		}
		return a.writeAdminReport(w, r, rep)
	}
}

// AccountWarningEntity is the Mastodon AccountWarning entity.
type AccountWarningEntity struct {
	ID            string   `json:"id"`
	Action        string   `json:"action"`
	Text          string   `json:"text"`
	StatusIDs     []string `json:"status_ids"`
	TargetAccount *Account `json:"target_account"`
	Appeal        *struct {
		Text  string `json:"text"`
		State string `json:"state"`
	} `json:"appeal"`
	CreatedAt Time `json:"created_at"`
}

// AccountWarningToAPI converts a warning with its rendered target.
func AccountWarningToAPI(w *storage.AccountWarning, target *Account) *AccountWarningEntity {
	return &AccountWarningEntity{ID: w.ID.String(), Action: string(w.Action), Text: w.Text, StatusIDs: idStrings(w.StatusIDs),
		TargetAccount: target, CreatedAt: Time(w.CreatedAt)}
}

// addModerationFields fills the report of admin.report notifications and
// the warning of moderation_warning ones; it reports false when what they
// name is gone (the notification is then left out).
func (a *API) addModerationFields(ctx context.Context, n *storage.Notification, out *Notification) (bool, error) {
	switch n.Type {
	case storage.NotifyReport:
		rep, err := a.store.Reports().Get(ctx, social.NotificationExtraID(n, "report_id"))
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("render: report: %w", err)
		}
		target, err := a.store.Accounts().Get(ctx, rep.TargetAccountID)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("render: report target: %w", err)
		}
		out.Report = ReportToAPI(rep, AccountToAPI(target, a.urls))
	case storage.NotifyModeration:
		w, err := a.store.AccountWarnings().Get(ctx, social.NotificationExtraID(n, "warning_id"))
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("render: warning: %w", err)
		}
		target, err := a.store.Accounts().Get(ctx, w.TargetAccountID)
		if err != nil {
			return false, fmt.Errorf("render: warning target: %w", err)
		}
		out.ModerationWarning = AccountWarningToAPI(w, AccountToAPI(target, a.urls))
	}
	return true, nil
}
