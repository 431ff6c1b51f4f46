package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/storage"
)

// Reports implements storage.Store.
func (s *Store) Reports() storage.Reports { return reports{s} }

// AccountWarnings implements storage.Store.
func (s *Store) AccountWarnings() storage.AccountWarnings { return accountWarnings{s} }

// Rules implements storage.Store.
func (s *Store) Rules() storage.Rules { return rules{s} }

// AuditLog implements storage.Store.
func (s *Store) AuditLog() storage.AuditLog { return auditLog{s} }

// AdminAccounts implements storage.Store.
func (s *Store) AdminAccounts() storage.AdminAccounts { return adminAccounts{s} }

type reports struct{ s *Store }

var (
	reportCols     = selectList(&storage.Report{}, "")
	reportNoteCols = selectList(&storage.ReportNote{}, "")
	reportMutable  = func() []string {
		var out []string
		for _, c := range columnsOf(&storage.Report{}) {
			if c != "id" && c != "created_at" {
				out = append(out, c)
			}
		}
		return out
	}()
)

func normReport(r *storage.Report) {
	r.CreatedAt, r.UpdatedAt, r.ActionTakenAt = norm(r.CreatedAt), norm(r.UpdatedAt), normp(r.ActionTakenAt)
	if r.StatusIDs == nil {
		r.StatusIDs = storage.IDs{}
	}
	if r.RuleIDs == nil {
		r.RuleIDs = storage.IDs{}
	}
	if r.Category == "" {
		r.Category = storage.ReportOther
	}
}

func (r reports) Create(ctx context.Context, rep *storage.Report) error {
	if rep.TargetAccountID == 0 {
		return fmt.Errorf("create report: target account is required: %w", storage.ErrInvalid)
	}
	if rep.Category != "" && !rep.Category.Valid() {
		return fmt.Errorf("create report: category %q: %w", rep.Category, storage.ErrInvalid)
	}
	r.s.stampNew(&rep.ID, &rep.CreatedAt, &rep.UpdatedAt)
	normReport(rep)
	return r.s.wrap(r.s.insert(ctx, "reports", rep), "create report")
}

func (r reports) Get(ctx context.Context, id storage.ID) (*storage.Report, error) {
	var rep storage.Report
	err := r.s.get(ctx, &rep, "SELECT "+reportCols+" FROM reports WHERE id = ?", id)
	return &rep, r.s.wrap(err, "get report %s", id)
}

func (r reports) GetByURI(ctx context.Context, uri string) (*storage.Report, error) {
	var rep storage.Report
	err := r.s.get(ctx, &rep, "SELECT "+reportCols+" FROM reports WHERE uri = ? AND uri <> ''", uri)
	return &rep, r.s.wrap(err, "get report by uri %s", uri)
}

func (r reports) Update(ctx context.Context, rep *storage.Report) error {
	if rep.Category != "" && !rep.Category.Valid() {
		return fmt.Errorf("update report %s: category %q: %w", rep.ID, rep.Category, storage.ErrInvalid)
	}
	rep.UpdatedAt = r.s.now()
	normReport(rep)
	return r.s.wrap(r.s.update(ctx, "reports", "id", rep, reportMutable), "update report %s", rep.ID)
}

func reportWhere(f storage.ReportFilter) ([]string, []any) {
	var where []string
	var args []any
	if f.Resolved != nil {
		if *f.Resolved {
			where = append(where, "action_taken_at IS NOT NULL")
		} else {
			where = append(where, "action_taken_at IS NULL")
		}
	}
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.TargetAccountID != 0 {
		where, args = append(where, "target_account_id = ?"), append(args, f.TargetAccountID)
	}
	if f.AssignedAccountID != 0 {
		where, args = append(where, "assigned_account_id = ?"), append(args, f.AssignedAccountID)
	}
	return where, args
}

func (r reports) List(ctx context.Context, f storage.ReportFilter, p storage.Page) ([]*storage.Report, error) {
	where, args := reportWhere(f)
	out, err := adminPage[storage.Report](ctx, r.s, "reports", where, args, p)
	return out, r.s.wrap(err, "list reports")
}

func (r reports) Count(ctx context.Context, f storage.ReportFilter) (int64, error) {
	where, args := reportWhere(f)
	var n int64
	err := r.s.get(ctx, &n, "SELECT COUNT(*) FROM reports"+whereSQL(where), args...)
	return n, r.s.wrap(err, "count reports")
}

func (r reports) AddNote(ctx context.Context, n *storage.ReportNote) error {
	if n.ReportID == 0 || strings.TrimSpace(n.Content) == "" {
		return fmt.Errorf("add report note: report and content are required: %w", storage.ErrInvalid)
	}
	if n.ID == 0 {
		n.ID = r.s.NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = r.s.now()
	}
	n.CreatedAt = norm(n.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "report_notes", n), "add note to report %s", n.ReportID)
}

func (r reports) Notes(ctx context.Context, reportID storage.ID) ([]*storage.ReportNote, error) {
	out := []*storage.ReportNote{}
	err := r.s.sel(ctx, &out, "SELECT "+reportNoteCols+" FROM report_notes WHERE report_id = ? ORDER BY id", reportID)
	return out, r.s.wrap(err, "notes of report %s", reportID)
}

func (r reports) DeleteNote(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM report_notes WHERE id = ?", id), "delete report note %s", id)
}

type accountWarnings struct{ s *Store }

var warningCols = selectList(&storage.AccountWarning{}, "")

func (r accountWarnings) Create(ctx context.Context, w *storage.AccountWarning) error {
	if w.TargetAccountID == 0 || !w.Action.Valid() {
		return fmt.Errorf("create account warning: target and a known action are required: %w", storage.ErrInvalid)
	}
	if w.ID == 0 {
		w.ID = r.s.NewID()
	}
	if w.CreatedAt.IsZero() {
		w.CreatedAt = r.s.now()
	}
	w.CreatedAt = norm(w.CreatedAt)
	if w.StatusIDs == nil {
		w.StatusIDs = storage.IDs{}
	}
	return r.s.wrap(r.s.insert(ctx, "account_warnings", w), "create account warning")
}

func (r accountWarnings) Get(ctx context.Context, id storage.ID) (*storage.AccountWarning, error) {
	var w storage.AccountWarning
	err := r.s.get(ctx, &w, "SELECT "+warningCols+" FROM account_warnings WHERE id = ?", id)
	return &w, r.s.wrap(err, "get account warning %s", id)
}

func (r accountWarnings) List(ctx context.Context, targetAccountID storage.ID, p storage.Page) ([]*storage.AccountWarning, error) {
	out, err := listPage[storage.AccountWarning](ctx, r.s, "account_warnings", []string{"target_account_id = ?"}, []any{targetAccountID}, "id", p)
	return out, r.s.wrap(err, "account warnings of %s", targetAccountID)
}

type rules struct{ s *Store }

var ruleCols = selectList(&storage.Rule{}, "")

func (r rules) Create(ctx context.Context, rule *storage.Rule) error {
	if strings.TrimSpace(rule.Text) == "" {
		return fmt.Errorf("create rule: text is required: %w", storage.ErrInvalid)
	}
	r.s.stampNew(&rule.ID, &rule.CreatedAt, &rule.UpdatedAt)
	return r.s.wrap(r.s.insert(ctx, "rules", rule), "create rule")
}

func (r rules) Get(ctx context.Context, id storage.ID) (*storage.Rule, error) {
	var rule storage.Rule
	err := r.s.get(ctx, &rule, "SELECT "+ruleCols+" FROM rules WHERE id = ?", id)
	return &rule, r.s.wrap(err, "get rule %s", id)
}

func (r rules) Update(ctx context.Context, rule *storage.Rule) error {
	if strings.TrimSpace(rule.Text) == "" {
		return fmt.Errorf("update rule %s: text is required: %w", rule.ID, storage.ErrInvalid)
	}
	rule.UpdatedAt = r.s.now()
	err := r.s.update(ctx, "rules", "id", rule, []string{"text", "hint", "position", "updated_at"})
	return r.s.wrap(err, "update rule %s", rule.ID)
}

func (r rules) Delete(ctx context.Context, id storage.ID) error {
	return r.s.wrap(r.s.execAffected(ctx, "DELETE FROM rules WHERE id = ?", id), "delete rule %s", id)
}

func (r rules) List(ctx context.Context) ([]*storage.Rule, error) {
	out := []*storage.Rule{}
	err := r.s.sel(ctx, &out, "SELECT "+ruleCols+" FROM rules ORDER BY position, id")
	return out, r.s.wrap(err, "list rules")
}

type auditLog struct{ s *Store }

func (r auditLog) Add(ctx context.Context, e *storage.AuditEntry) error {
	if e.Action == "" {
		return fmt.Errorf("add audit entry: action is required: %w", storage.ErrInvalid)
	}
	if e.ID == 0 {
		e.ID = r.s.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = r.s.now()
	}
	e.CreatedAt = norm(e.CreatedAt)
	return r.s.wrap(r.s.insert(ctx, "audit_log", e), "add audit entry %s", e.Action)
}

func (r auditLog) List(ctx context.Context, f storage.AuditFilter, p storage.Page) ([]*storage.AuditEntry, error) {
	var where []string
	var args []any
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if f.TargetType != "" {
		where, args = append(where, "target_type = ?"), append(args, f.TargetType)
	}
	if f.TargetID != 0 {
		where, args = append(where, "target_id = ?"), append(args, f.TargetID)
	}
	out, err := adminPage[storage.AuditEntry](ctx, r.s, "audit_log", where, args, p)
	return out, r.s.wrap(err, "list audit log")
}

type adminAccounts struct{ s *Store }

func (r adminAccounts) List(ctx context.Context, f storage.AdminAccountFilter, p storage.Page) ([]*storage.Account, error) {
	// The instance actor is the local account without a user.
	hasUser := "EXISTS (SELECT 1 FROM users u WHERE u.account_id = accounts.id)"
	where := []string{"(accounts.domain <> '' OR " + hasUser + ")"}
	var args []any
	userWhere := func(cond string, a ...any) {
		where = append(where, "EXISTS (SELECT 1 FROM users u WHERE u.account_id = accounts.id AND "+cond+")")
		args = append(args, a...)
	}
	switch f.Origin {
	case "local":
		where = append(where, "accounts.domain = ''")
	case "remote":
		where = append(where, "accounts.domain <> ''")
	case "":
	default:
		return nil, fmt.Errorf("admin accounts: origin %q: %w", f.Origin, storage.ErrInvalid)
	}
	switch f.Status {
	case "active":
		where = append(where, "accounts.suspended_at IS NULL")
	case "pending":
		userWhere("u.approved = ?", false)
	case "disabled":
		userWhere("u.disabled = ?", true)
	case "silenced":
		where = append(where, "accounts.silenced_at IS NOT NULL")
	case "suspended":
		where = append(where, "accounts.suspended_at IS NOT NULL")
	case "":
	default:
		return nil, fmt.Errorf("admin accounts: status %q: %w", f.Status, storage.ErrInvalid)
	}
	if f.Username != "" {
		where, args = append(where, `accounts.username_key LIKE ? ESCAPE '\'`), append(args, likeEscape(foldKey(f.Username))+"%")
	}
	if f.DisplayName != "" {
		where, args = append(where, `LOWER(accounts.display_name) LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(strings.ToLower(f.DisplayName))+"%")
	}
	if f.Domain != "" {
		where, args = append(where, "accounts.domain = ?"), append(args, strings.ToLower(f.Domain))
	}
	if f.Email != "" {
		userWhere(`u.email_key LIKE ? ESCAPE '\'`, "%"+likeEscape(foldKey(f.Email))+"%")
	}
	roles := append([]storage.Role(nil), f.Roles...)
	if f.Staff {
		staff := []storage.Role{storage.RoleModerator, storage.RoleAdmin, storage.RoleOwner}
		if len(roles) == 0 {
			roles = staff
		} else {
			roles = intersectRoles(roles, staff)
			if len(roles) == 0 {
				return []*storage.Account{}, nil
			}
		}
	}
	if len(roles) > 0 {
		names := make([]string, len(roles))
		for i, ro := range roles {
			names[i] = string(ro)
		}
		userWhere("u.role IN (?)", names)
	}
	if len(f.IDs) > 0 {
		where, args = append(where, "accounts.id IN (?)"), append(args, []storage.ID(f.IDs))
	}
	out, err := adminPage[storage.Account](ctx, r.s, "accounts", where, args, p)
	return out, r.s.wrap(err, "admin accounts")
}

func intersectRoles(a, b []storage.Role) []storage.Role {
	var out []storage.Role
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
			}
		}
	}
	return out
}

// adminPage is listPage with the admin API's page sizes (default 100, at
// most 200), keyed on the id column.
func adminPage[T any](ctx context.Context, s *Store, table string, where []string, args []any, p storage.Page) ([]*T, error) {
	p = p.Norm(storage.AdminDefaultLimit, storage.AdminMaxLimit)
	if p.MaxID != 0 {
		where, args = append(where, table+".id < ?"), append(args, p.MaxID)
	}
	switch {
	case p.MinID != 0:
		where, args = append(where, table+".id > ?"), append(args, p.MinID)
	case p.SinceID != 0:
		where, args = append(where, table+".id > ?"), append(args, p.SinceID)
	}
	dir := "DESC"
	if p.Ascending() {
		dir = "ASC"
	}
	var zero T
	q := "SELECT " + selectList(&zero, table) + " FROM " + table + whereSQL(where) +
		" ORDER BY " + table + ".id " + dir + " LIMIT ?"
	args = append(args, p.Limit)
	out := []*T{}
	if err := s.sel(ctx, &out, q, args...); err != nil {
		return nil, err
	}
	if p.Ascending() {
		reverse(out)
	}
	return out, nil
}
