package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func cmdAccount(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: herd account create|list|set-role|approve|reject|suspend|unsuspend|silence|unsilence|sensitive|unsensitive|disable|enable|warn|delete-data [flags]\n")
		return errUsage
	}
	switch args[0] {
	case "create":
		return cmdAccountCreate(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return cmdAccountList(ctx, args[1:], getenv, stdout, stderr)
	case "set-role":
		return cmdAccountSetRole(ctx, args[1:], getenv, stdout, stderr)
	}
	if _, ok := accountActions[args[0]]; ok {
		return cmdAccountModerate(ctx, args[0], args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintf(stderr, "herd account: unknown subcommand %q (run \"herd account\" for the list)\n", args[0])
	return errUsage
}

func cmdAccountCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("account create", stderr)
	registerFlags(fs, &c, false)
	username := fs.String("username", "", "username (required)")
	email := fs.String("email", "", "email address (required)")
	password := fs.String("password", "", "password (default: a random one, printed)")
	admin := fs.Bool("admin", false, "make the account an administrator")
	role := fs.String("role", "", "role: user, moderator, admin or owner (overrides --admin)")
	publicURL := fs.String("public-url", "", "public URL of the server (env HERD_PUBLIC_URL; default http://localhost:8080)")
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	if *username == "" || *email == "" {
		return errors.New("account create: --username and --email are required")
	}
	r := storage.RoleUser
	if *admin {
		r = storage.RoleAdmin
	}
	if *role != "" {
		r = storage.Role(*role)
	}
	urls, err := cliURLs(*publicURL, getenv)
	if err != nil {
		return err
	}
	pw := *password
	generated := pw == ""
	if generated {
		pw = randomPassword()
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, _, err := social.CreateUser(ctx, st, urls, social.NewUser{
		Username: *username, Email: *email, Password: pw, Role: r, Approved: true,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s (id %s, role %s)\n", a.Username, a.ID, r)
	if generated {
		fmt.Fprintf(stdout, "password: %s\n", pw)
	}
	return nil
}

func cmdAccountList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("account list", stderr)
	registerFlags(fs, &c, false)
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUSERNAME\tEMAIL\tROLE\tAPPROVED\tCREATED")
	p := storage.Page{Limit: storage.MaxLimit}
	for {
		users, err := st.Users().List(ctx, p)
		if err != nil {
			return err
		}
		for _, u := range users {
			a, err := st.Accounts().Get(ctx, u.AccountID)
			if err != nil {
				return err
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%t\t%s\n", a.ID, a.Username, u.Email, u.Role, u.Approved, u.CreatedAt.Format("2006-01-02"))
		}
		if len(users) < p.Limit {
			break
		}
		p.MaxID = users[len(users)-1].ID
	}
	return tw.Flush()
}

func cmdAccountSetRole(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("account set-role", stderr)
	registerFlags(fs, &c, false)
	username := fs.String("username", "", "username of a local account (required)")
	role := fs.String("role", "", "role: user, moderator, admin or owner (required)")
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	r := storage.Role(*role)
	if *username == "" || !r.Valid() {
		return errors.New("account set-role: --username and --role (user, moderator, admin or owner) are required")
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := st.Accounts().GetByUsername(ctx, *username, "")
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("no local account %q", *username)
		}
		return err
	}
	u, err := st.Users().GetByAccountID(ctx, a.ID)
	if err != nil {
		return err
	}
	u.Role = r
	if err := st.Users().Update(ctx, u); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s is now %s\n", a.Username, r)
	return nil
}
