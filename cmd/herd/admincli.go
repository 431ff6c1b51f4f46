package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// modEnv is a composed server for moderation commands: its social service
// publishes to federation, which queues deliveries durably (the running
// server delivers them), so that a suspension from the command line still
// tells other servers.
type modEnv struct {
	app *app
	st  *storeHandle
}

func (m *modEnv) close() {
	m.app.close()
	_ = m.st.Close()
}

// openModeration parses the flags of a moderation command (the server's
// flags, so that the public URL and database are the same as serve's) and
// composes the server without starting it. A leading argument that is not
// a flag is returned as the positional argument.
func openModeration(ctx context.Context, name string, args []string, getenv func(string) string, stderr io.Writer, extra func(fs *flag.FlagSet)) (*modEnv, string, error) {
	var pos string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		pos, args = args[0], args[1:]
	}
	var c config
	fs := newFlagSet(name, stderr)
	registerFlags(fs, &c, true)
	if extra != nil {
		extra(fs)
	}
	if err := parseFlags(fs, args, &c, getenv, true); err != nil {
		return nil, "", err
	}
	urls, err := social.NewURLs(c.PublicURL)
	if err != nil {
		return nil, "", err
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return nil, "", err
	}
	a, err := newApp(ctx, &c, st, urls, slog.New(slog.DiscardHandler))
	if err != nil {
		st.Close()
		return nil, "", err
	}
	return &modEnv{app: a, st: st}, pos, nil
}

// accountActions are the moderation subcommands of herd account.
var accountActions = map[string]string{
	"approve": "approve a pending sign-up", "reject": "reject (delete) a pending sign-up",
	"suspend": "suspend an account", "unsuspend": "lift a suspension",
	"silence": "limit an account to its followers", "unsilence": "lift a limit",
	"sensitive": "force an account's media sensitive", "unsensitive": "lift the sensitive mark",
	"disable": "disable a local login", "enable": "enable a local login",
	"warn": "warn an account", "delete-data": "delete a suspended account's data for good",
}

// cmdAccountModerate runs one of accountActions on the account named by
// the first argument (username, or user@domain for a remote account).
func cmdAccountModerate(ctx context.Context, action string, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var reason string
	var reportID string
	m, handle, err := openModeration(ctx, "account "+action, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&reason, "reason", "", "reason, shown to the account in its warning and kept in the audit log")
		fs.StringVar(&reportID, "report", "", "ID of a report about the account that this action resolves")
	})
	if err != nil {
		return err
	}
	defer m.close()
	if handle == "" {
		return fmt.Errorf("account %s: name the account: herd account %s USERNAME [--reason TEXT]", action, action)
	}
	svc := m.app.svc
	acct, err := svc.AccountByHandle(ctx, handle)
	if err != nil {
		if errors.Is(err, social.ErrNotFound) {
			return fmt.Errorf("no account %q", handle)
		}
		return err
	}
	var rep storage.ID
	if reportID != "" {
		if rep, err = storage.ParseID(reportID); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
	}
	take := func(t social.AccountActionType) error {
		_, err := svc.TakeAccountAction(ctx, nil, acct.ID, social.AccountAction{Type: t, Text: reason, ReportID: rep})
		return err
	}
	switch action {
	case "approve":
		err = svc.ApproveAccount(ctx, nil, acct.ID)
	case "reject":
		err = svc.RejectAccount(ctx, nil, acct.ID)
	case "suspend":
		err = take(social.ActionSuspend)
	case "silence":
		err = take(social.ActionSilence)
	case "sensitive":
		err = take(social.ActionSensitive)
	case "disable":
		err = take(social.ActionDisable)
	case "warn":
		err = take(social.ActionNone)
	case "unsuspend":
		err = svc.UnsuspendAccount(ctx, nil, acct.ID)
	case "unsilence":
		err = svc.UnsilenceAccount(ctx, nil, acct.ID)
	case "unsensitive":
		err = svc.UnsensitiveAccount(ctx, nil, acct.ID)
	case "enable":
		err = svc.EnableAccount(ctx, nil, acct.ID)
	case "delete-data":
		err = svc.DeleteAccountData(ctx, nil, acct.ID)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %s done\n", acct.Acct(), action)
	return nil
}

func cmdReport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: herd report list|show|resolve|reopen [ID] [flags]\n")
		return errUsage
	}
	sub, rest := args[0], args[1:]
	var all bool
	var note string
	m, idArg, err := openModeration(ctx, "report "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		if sub == "list" {
			fs.BoolVar(&all, "all", false, "list resolved reports too")
		}
		if sub == "resolve" || sub == "reopen" {
			fs.StringVar(&note, "note", "", "a note to add to the report")
		}
	})
	if err != nil {
		return err
	}
	defer m.close()
	svc, st := m.app.svc, m.st
	acct := func(id storage.ID) string {
		if id == 0 {
			return "-"
		}
		if a, err := st.Accounts().Get(ctx, id); err == nil {
			return a.Acct()
		}
		return id.String()
	}
	if sub == "list" {
		f := storage.ReportFilter{}
		if !all {
			f.Resolved = new(bool)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tREPORTER\tTARGET\tCATEGORY\tSTATUSES\tRESOLVED\tCOMMENT")
		p := storage.Page{Limit: storage.AdminMaxLimit}
		for {
			reps, err := svc.Reports(ctx, nil, f, p)
			if err != nil {
				return err
			}
			for _, r := range reps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%t\t%s\n", r.ID, r.CreatedAt.Format("2006-01-02"), acct(r.AccountID),
					acct(r.TargetAccountID), r.Category, len(r.StatusIDs), r.Resolved(), oneLine(r.Comment, 60))
			}
			if len(reps) < p.Limit {
				break
			}
			p.MaxID = reps[len(reps)-1].ID
		}
		return tw.Flush()
	}
	if idArg == "" {
		return fmt.Errorf("report %s: name the report: herd report %s ID", sub, sub)
	}
	id, err := storage.ParseID(idArg)
	if err != nil {
		return fmt.Errorf("report %s: %q is not a report ID", sub, idArg)
	}
	switch sub {
	case "show":
		d, err := svc.GetReport(ctx, nil, id)
		if err != nil {
			return err
		}
		r := d.Report
		fmt.Fprintf(stdout, "report %s (%s)\n  reporter: %s\n  target:   %s\n  created:  %s\n  resolved: %t\n  assigned: %s\n  statuses: %v\n  rules:    %v\n  forwarded: %t\n  comment:  %s\n",
			r.ID, r.Category, acct(r.AccountID), acct(r.TargetAccountID), r.CreatedAt.Format("2006-01-02 15:04"), r.Resolved(),
			acct(r.AssignedAccountID), r.StatusIDs, r.RuleIDs, r.Forwarded, r.Comment)
		for _, n := range d.Notes {
			fmt.Fprintf(stdout, "  note by %s (%s): %s\n", acct(n.AccountID), n.CreatedAt.Format("2006-01-02 15:04"), n.Content)
		}
		return nil
	case "resolve", "reopen":
		if note != "" {
			if _, err := svc.AddReportNote(ctx, nil, id, note, false); err != nil {
				return err
			}
		}
		if sub == "resolve" {
			_, err = svc.ResolveReport(ctx, nil, id)
		} else {
			_, err = svc.ReopenReport(ctx, nil, id)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "report %s: %s\n", id, map[string]string{"resolve": "resolved", "reopen": "reopened"}[sub])
		return nil
	}
	fmt.Fprintf(stderr, "herd report: unknown subcommand %q (want list, show, resolve or reopen)\n", sub)
	return errUsage
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max-1]) + "…"
	}
	return s
}

func cmdRule(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: herd rule add TEXT [--hint H] | list | remove ID\n")
		return errUsage
	}
	sub, rest := args[0], args[1:]
	var hint string
	m, arg, err := openModeration(ctx, "rule "+sub, rest, getenv, stderr, func(fs *flag.FlagSet) {
		if sub == "add" {
			fs.StringVar(&hint, "hint", "", "a longer explanation of the rule")
		}
	})
	if err != nil {
		return err
	}
	defer m.close()
	svc := m.app.svc
	switch sub {
	case "add":
		if arg == "" {
			return errors.New(`rule add: give the rule's text: herd rule add "Be kind" [--hint …]`)
		}
		r, err := svc.AddRule(ctx, nil, arg, hint)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added rule %s\n", r.ID)
		return nil
	case "list":
		rules, err := svc.Rules(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tTEXT\tHINT")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", r.ID, r.Text, oneLine(r.Hint, 60))
		}
		return tw.Flush()
	case "remove":
		id, err := storage.ParseID(arg)
		if err != nil {
			return fmt.Errorf("rule remove: %q is not a rule ID", arg)
		}
		if err := svc.RemoveRule(ctx, nil, id); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed rule %s\n", id)
		return nil
	}
	fmt.Fprintf(stderr, "herd rule: unknown subcommand %q (want add, list or remove)\n", sub)
	return errUsage
}

func cmdAudit(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var limit int
	var action, by string
	m, _, err := openModeration(ctx, "audit", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.IntVar(&limit, "limit", 50, "how many entries to show, newest first")
		fs.StringVar(&action, "action", "", "only this action (e.g. account.suspend)")
		fs.StringVar(&by, "by", "", "only actions by this local username")
	})
	if err != nil {
		return err
	}
	defer m.close()
	f := storage.AuditFilter{Action: action}
	if by != "" {
		a, err := m.app.svc.AccountByHandle(ctx, by)
		if err != nil {
			return fmt.Errorf("no account %q", by)
		}
		f.AccountID = a.ID
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tACTION\tTARGET\tSUMMARY")
	p := storage.Page{Limit: min(max(limit, 1), storage.AdminMaxLimit)}
	for left := max(limit, 1); left > 0; {
		p.Limit = min(left, storage.AdminMaxLimit)
		es, err := m.app.svc.AuditLog(ctx, nil, f, p)
		if err != nil {
			return err
		}
		for _, e := range es {
			fmt.Fprintf(tw, "%s\t%s\t%s %s\t%s\n", e.CreatedAt.Format("2006-01-02 15:04:05"), e.Action, e.TargetType, e.TargetID, e.Summary)
		}
		left -= len(es)
		if len(es) < p.Limit {
			break
		}
		p.MaxID = es[len(es)-1].ID
	}
	return tw.Flush()
}
