package social

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/herd-social/herd/storage"
)

// MaxReportComment bounds the comment of a report, as Mastodon does.
const MaxReportComment = 1000

// ReportInput is a report filed by a local user (POST /api/v1/reports).
type ReportInput struct {
	AccountID storage.ID   // the reported account
	StatusIDs []storage.ID // its statuses attached as evidence
	Comment   string
	// Category defaults to "violation" when RuleIDs are given, else "other".
	Category storage.ReportCategory
	// RuleIDs are the instance rules broken; kept only for "violation".
	RuleIDs []storage.ID
	// Forward sends the report to the reported account's server (as a
	// Flag from the instance actor) when it is remote.
	Forward bool
	// ForwardToDomains also sends it to these domains, when they are the
	// domains of accounts the reported statuses reply to or mention.
	ForwardToDomains []string
}

// Report files a report about an account. Staff are notified
// (admin.report); with Forward, a remote account's server receives it.
func (s *Service) Report(ctx context.Context, reporter *storage.Account, in ReportInput) (*storage.Report, error) {
	if err := requireLocal(reporter); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(in.Comment) > MaxReportComment {
		return nil, invalid("comment", "must be at most %d characters", MaxReportComment)
	}
	if in.Category != "" && !in.Category.Valid() {
		return nil, invalid("category", "must be spam, legal, violation or other")
	}
	var out *storage.Report
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		target, err := loadTarget(ctx, tx, in.AccountID)
		if err != nil {
			return err
		}
		if target.ID == reporter.ID {
			return invalid("account_id", "cannot report oneself")
		}
		statuses, err := reportStatuses(ctx, tx, target, in.StatusIDs, func(st *storage.Status) (bool, error) {
			return s.canSeeIn(ctx, tx, reporter.ID, st)
		})
		if err != nil {
			return err
		}
		cat := in.Category
		if cat == "" {
			cat = storage.ReportOther
			if len(in.RuleIDs) > 0 {
				cat = storage.ReportViolation
			}
		}
		rules, err := reportRules(ctx, tx, cat, in.RuleIDs)
		if err != nil {
			return err
		}
		rep := &storage.Report{ID: tx.NewID(), AccountID: reporter.ID, TargetAccountID: target.ID, StatusIDs: statuses,
			RuleIDs: rules, Category: cat, Comment: in.Comment, CreatedAt: s.now()}
		var forwardTo []string
		if in.Forward && !target.Local() {
			rep.Forwarded = true
			rep.URI = s.urls.InstanceActor() + "#flags/" + rep.ID.String()
			if forwardTo, err = forwardRecipients(ctx, tx, statuses, in.ForwardToDomains, target.Domain); err != nil {
				return err
			}
		}
		if err := tx.Reports().Create(ctx, rep); err != nil {
			return fmt.Errorf("create report: %w", err)
		}
		if err := s.notifyStaffOfReport(ctx, tx, ev, rep, reporter); err != nil {
			return err
		}
		if rep.Forwarded {
			ev.add(Event{Type: EventReportForwarded, Actor: reporter, Target: target, Report: rep, ForwardTo: forwardTo})
		}
		out = rep
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", in.AccountID, err)
	}
	return out, nil
}

// canSeeIn is CanSee through tx.
func (s *Service) canSeeIn(ctx context.Context, tx storage.Store, viewer storage.ID, st *storage.Status) (bool, error) {
	set, err := loadSet(ctx, tx, viewer, []*storage.Status{st}, false)
	if err != nil {
		return false, err
	}
	return set.visible(st), nil
}

// reportStatuses checks that the statuses are the target's (and, when
// visible is set, that the reporter can see them), dropping duplicates.
func reportStatuses(ctx context.Context, tx storage.Store, target *storage.Account, ids []storage.ID, visible func(*storage.Status) (bool, error)) (storage.IDs, error) {
	ids = uniqueIDs(ids)
	out := storage.IDs{}
	if len(ids) == 0 {
		return out, nil
	}
	if len(ids) > 100 {
		return nil, invalid("status_ids", "must list at most 100 statuses")
	}
	sts, err := tx.Statuses().GetMany(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("reported statuses: %w", err)
	}
	byID := make(map[storage.ID]*storage.Status, len(sts))
	for _, st := range sts {
		byID[st.ID] = st
	}
	for _, id := range ids {
		st := byID[id]
		if st == nil || st.AccountID != target.ID {
			return nil, fmt.Errorf("status %s of the reported account: %w", id, ErrNotFound)
		}
		if visible != nil {
			ok, err := visible(st)
			if err != nil {
				return nil, err
			}
			if !ok {
				return nil, fmt.Errorf("status %s: %w", id, ErrNotFound)
			}
		}
		out = append(out, id)
	}
	return out, nil
}

// reportRules checks the rule IDs of a report (kept for violations only).
func reportRules(ctx context.Context, tx storage.Store, cat storage.ReportCategory, ids []storage.ID) (storage.IDs, error) {
	out := storage.IDs{}
	if cat != storage.ReportViolation {
		return out, nil
	}
	ids = uniqueIDs(ids)
	if len(ids) == 0 {
		return out, nil
	}
	rules, err := tx.Rules().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	known := map[storage.ID]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	for _, id := range ids {
		if !known[id] {
			return nil, invalid("rule_ids", "rule %s does not exist", id)
		}
		out = append(out, id)
	}
	return out, nil
}

// forwardRecipients lists the actors (on the given domains, other than the
// target's) that the reported statuses reply to or mention.
func forwardRecipients(ctx context.Context, tx storage.Store, statusIDs storage.IDs, domains []string, targetDomain string) ([]string, error) {
	want := map[string]bool{}
	for _, d := range domains {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" && d != targetDomain {
			want[d] = true
		}
	}
	if len(want) == 0 || len(statusIDs) == 0 {
		return nil, nil
	}
	sts, err := tx.Statuses().GetMany(ctx, statusIDs)
	if err != nil {
		return nil, fmt.Errorf("forward: statuses: %w", err)
	}
	var ids []storage.ID
	for _, st := range sts {
		ids = append(ids, st.InReplyToAccountID)
		for _, m := range st.Mentions {
			ids = append(ids, m.AccountID)
		}
	}
	accts, err := tx.Accounts().GetMany(ctx, uniqueIDs(ids))
	if err != nil {
		return nil, fmt.Errorf("forward: accounts: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	for _, a := range accts {
		if want[a.Domain] && !seen[a.Domain] {
			seen[a.Domain] = true
			out = append(out, a.URI)
		}
	}
	slices.Sort(out)
	return out, nil
}

// notifyStaffOfReport sends admin.report to every staff account.
func (s *Service) notifyStaffOfReport(ctx context.Context, tx storage.Store, ev *events, rep *storage.Report, from *storage.Account) error {
	mods, err := staff(ctx, tx)
	if err != nil {
		return err
	}
	for _, m := range mods {
		if m.ID == rep.TargetAccountID {
			continue // the reported moderator does not learn of it this way
		}
		if err := s.notifyExtra(ctx, tx, ev, m, from, storage.NotifyReport, "report_id", rep.ID); err != nil {
			return err
		}
	}
	return nil
}

// RemoteReport is a report received from another server (a Flag).
type RemoteReport struct {
	URI       string           // id of the Flag activity
	From      *storage.Account // the actor that sent it (often an instance actor)
	Target    *storage.Account // the local account reported
	StatusIDs []storage.ID     // stored statuses of Target it lists
	Comment   string
}

// ReceiveReport stores a report received from another server and notifies
// staff. The same Flag received twice gives the same report. Only local
// accounts can be reported this way.
func (s *Service) ReceiveReport(ctx context.Context, in RemoteReport) (*storage.Report, error) {
	if in.From == nil || in.Target == nil {
		return nil, invalid("report", "needs a sender and a target")
	}
	if !in.Target.Local() || in.Target.URI == s.urls.InstanceActor() {
		return nil, invalid("object", "does not name a local account")
	}
	comment := in.Comment
	if utf8.RuneCountInString(comment) > 5*MaxReportComment {
		comment = string([]rune(comment)[:5*MaxReportComment])
	}
	var out *storage.Report
	err := s.tx(ctx, func(tx storage.Store, ev *events) error {
		if in.URI != "" {
			if old, err := tx.Reports().GetByURI(ctx, in.URI); err == nil {
				out = old
				return nil
			} else if !errors.Is(err, storage.ErrNotFound) {
				return err
			}
		}
		statuses, err := reportStatuses(ctx, tx, in.Target, in.StatusIDs, nil)
		if err != nil {
			return err
		}
		rep := &storage.Report{ID: tx.NewID(), AccountID: in.From.ID, TargetAccountID: in.Target.ID, StatusIDs: statuses,
			Category: storage.ReportOther, Comment: comment, URI: in.URI, CreatedAt: s.now()}
		if err := tx.Reports().Create(ctx, rep); err != nil {
			return fmt.Errorf("create report: %w", err)
		}
		out = rep
		return s.notifyStaffOfReport(ctx, tx, ev, rep, in.From)
	})
	if err != nil {
		return nil, fmt.Errorf("receive report %s: %w", in.URI, err)
	}
	return out, nil
}

// ReportDetails is a report with what moderators see of it.
type ReportDetails struct {
	Report *storage.Report
	Notes  []*storage.ReportNote
}

// Reports pages through reports for moderators.
func (s *Service) Reports(ctx context.Context, mod Moderator, f storage.ReportFilter, p storage.Page) ([]*storage.Report, error) {
	if err := checkStaff(ctx, s.store, mod); err != nil {
		return nil, err
	}
	out, err := s.store.Reports().List(ctx, f, p)
	if err != nil {
		return nil, fmt.Errorf("reports: %w", err)
	}
	return out, nil
}

// GetReport returns one report with its notes.
func (s *Service) GetReport(ctx context.Context, mod Moderator, id storage.ID) (*ReportDetails, error) {
	if err := checkStaff(ctx, s.store, mod); err != nil {
		return nil, err
	}
	r, err := s.store.Reports().Get(ctx, id)
	if err != nil {
		return nil, notFound(err, "report %s", id)
	}
	notes, err := s.store.Reports().Notes(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("report notes: %w", err)
	}
	return &ReportDetails{Report: r, Notes: notes}, nil
}

// reportAction changes a report, with the audit entry.
func (s *Service) reportAction(ctx context.Context, mod Moderator, id storage.ID, action, verb string, fn func(tx storage.Store, r *storage.Report) error) (*storage.Report, error) {
	var out *storage.Report
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		r, err := tx.Reports().Get(ctx, id)
		if err != nil {
			return notFound(err, "report %s", id)
		}
		if err := fn(tx, r); err != nil {
			return err
		}
		if err := tx.Reports().Update(ctx, r); err != nil {
			return fmt.Errorf("update report: %w", err)
		}
		out = r
		return s.audit(ctx, tx, mod, action, "report", r.ID, fmt.Sprintf("%s %s report #%s", modName(mod), verb, r.ID))
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", action, id, err)
	}
	return out, nil
}

// AssignReport assigns a report to a staff account (0 unassigns it).
func (s *Service) AssignReport(ctx context.Context, mod Moderator, id, assignee storage.ID) (*storage.Report, error) {
	action, verb := AuditReportAssign, "assigned"
	if assignee == 0 {
		action, verb = AuditReportUnassign, "unassigned"
	}
	return s.reportAction(ctx, mod, id, action, verb, func(tx storage.Store, r *storage.Report) error {
		if assignee != 0 {
			a, err := tx.Accounts().Get(ctx, assignee)
			if err != nil {
				return notFound(err, "assignee %s", assignee)
			}
			if err := checkStaff(ctx, tx, a); err != nil {
				return invalid("assignee", "is not staff")
			}
		}
		r.AssignedAccountID = assignee
		return nil
	})
}

// ResolveReport marks a report resolved (idempotent).
func (s *Service) ResolveReport(ctx context.Context, mod Moderator, id storage.ID) (*storage.Report, error) {
	return s.reportAction(ctx, mod, id, AuditReportResolve, "resolved", func(_ storage.Store, r *storage.Report) error {
		if r.ActionTakenAt == nil {
			now := s.now()
			r.ActionTakenAt, r.ActionTakenByAccountID = &now, viewerID(mod)
		}
		return nil
	})
}

// ReopenReport marks a report unresolved again.
func (s *Service) ReopenReport(ctx context.Context, mod Moderator, id storage.ID) (*storage.Report, error) {
	return s.reportAction(ctx, mod, id, AuditReportReopen, "reopened", func(_ storage.Store, r *storage.Report) error {
		r.ActionTakenAt, r.ActionTakenByAccountID = nil, 0
		return nil
	})
}

// UpdateReport changes a report's category and, for violations, its rules
// (nil category: unchanged; nil ruleIDs: unchanged).
func (s *Service) UpdateReport(ctx context.Context, mod Moderator, id storage.ID, category *storage.ReportCategory, ruleIDs []storage.ID) (*storage.Report, error) {
	if category != nil && !category.Valid() {
		return nil, invalid("category", "must be spam, legal, violation or other")
	}
	return s.reportAction(ctx, mod, id, AuditReportUpdate, "updated", func(tx storage.Store, r *storage.Report) error {
		if category != nil {
			r.Category = *category
		}
		if ruleIDs == nil && r.Category == storage.ReportViolation {
			return nil
		}
		rules, err := reportRules(ctx, tx, r.Category, ruleIDs)
		if err != nil {
			return err
		}
		r.RuleIDs = rules
		return nil
	})
}

// AddReportNote adds a moderator's note to a report; with resolve set it
// also resolves it.
func (s *Service) AddReportNote(ctx context.Context, mod Moderator, id storage.ID, content string, resolve bool) (*storage.ReportNote, error) {
	content = strings.TrimSpace(content)
	if content == "" || utf8.RuneCountInString(content) > 500 {
		return nil, invalid("content", "must be 1 to 500 characters")
	}
	var note *storage.ReportNote
	_, err := s.reportAction(ctx, mod, id, AuditReportNote, "added a note to", func(tx storage.Store, r *storage.Report) error {
		note = &storage.ReportNote{ReportID: r.ID, AccountID: viewerID(mod), Content: content, CreatedAt: s.now()}
		if err := tx.Reports().AddNote(ctx, note); err != nil {
			return err
		}
		if resolve && r.ActionTakenAt == nil {
			now := s.now()
			r.ActionTakenAt, r.ActionTakenByAccountID = &now, viewerID(mod)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return note, nil
}

// Rules lists the instance rules in order.
func (s *Service) Rules(ctx context.Context) ([]*storage.Rule, error) {
	out, err := s.store.Rules().List(ctx)
	if err != nil {
		return nil, fmt.Errorf("rules: %w", err)
	}
	return out, nil
}

// AddRule appends an instance rule (after the last one).
func (s *Service) AddRule(ctx context.Context, mod Moderator, text, hint string) (*storage.Rule, error) {
	text, hint = strings.TrimSpace(text), strings.TrimSpace(hint)
	if text == "" || utf8.RuneCountInString(text) > 300 {
		return nil, invalid("text", "must be 1 to 300 characters")
	}
	if utf8.RuneCountInString(hint) > 2000 {
		return nil, invalid("hint", "must be at most 2000 characters")
	}
	var out *storage.Rule
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		rules, err := tx.Rules().List(ctx)
		if err != nil {
			return err
		}
		pos := 0
		if len(rules) > 0 {
			pos = rules[len(rules)-1].Position + 1
		}
		r := &storage.Rule{Text: text, Hint: hint, Position: pos, CreatedAt: s.now()}
		if err := tx.Rules().Create(ctx, r); err != nil {
			return err
		}
		out = r
		return s.audit(ctx, tx, mod, AuditRuleCreate, "rule", r.ID, fmt.Sprintf("%s added the rule %q", modName(mod), text))
	})
	if err != nil {
		return nil, fmt.Errorf("add rule: %w", err)
	}
	return out, nil
}

// RemoveRule deletes an instance rule.
func (s *Service) RemoveRule(ctx context.Context, mod Moderator, id storage.ID) error {
	err := s.tx(ctx, func(tx storage.Store, _ *events) error {
		if err := checkStaff(ctx, tx, mod); err != nil {
			return err
		}
		r, err := tx.Rules().Get(ctx, id)
		if err != nil {
			return notFound(err, "rule %s", id)
		}
		if err := tx.Rules().Delete(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, mod, AuditRuleDelete, "rule", id, fmt.Sprintf("%s removed the rule %q", modName(mod), r.Text))
	})
	if err != nil {
		return fmt.Errorf("remove rule %s: %w", id, err)
	}
	return nil
}

// AuditLog pages through the audit log, newest first.
func (s *Service) AuditLog(ctx context.Context, mod Moderator, f storage.AuditFilter, p storage.Page) ([]*storage.AuditEntry, error) {
	if err := checkStaff(ctx, s.store, mod); err != nil {
		return nil, err
	}
	out, err := s.store.AuditLog().List(ctx, f, p)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}
