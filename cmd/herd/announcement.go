package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/herd-social/herd/storage"
)

// The announcement command manages instance announcements. Mastodon has no
// API to make them, so administrators use this command; it writes to the
// database, and the running server(s) stream each change within a couple of
// seconds (streaming.WatchAnnouncements polls the store and claims each
// change once, so it works across processes on PostgreSQL and SQLite).

func cmdAnnouncement(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: herd announcement create|list|delete [flags]\n")
		return errUsage
	}
	switch args[0] {
	case "create":
		return cmdAnnouncementCreate(ctx, args[1:], getenv, stdout, stderr)
	case "list":
		return cmdAnnouncementList(ctx, args[1:], getenv, stdout, stderr)
	case "delete":
		return cmdAnnouncementDelete(ctx, args[1:], getenv, stdout, stderr)
	}
	fmt.Fprintf(stderr, "herd announcement: unknown subcommand %q (want create, list or delete)\n", args[0])
	return errUsage
}

// parseAnnouncementTime reads an RFC 3339 time or a date (YYYY-MM-DD, at
// midnight UTC); date reports the latter.
func parseAnnouncementTime(name, v string) (t *time.Time, date bool, err error) {
	if v == "" {
		return nil, false, nil
	}
	if x, err := time.Parse(time.RFC3339, v); err == nil {
		x = x.UTC()
		return &x, false, nil
	}
	if x, err := time.Parse(time.DateOnly, v); err == nil {
		return &x, true, nil
	}
	return nil, false, fmt.Errorf("announcement create: --%s %q: want an RFC 3339 time (2026-12-01T18:00:00Z) or a date (2026-12-01)", name, v)
}

func cmdAnnouncementCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("announcement create", stderr)
	registerFlags(fs, &c, false)
	text := fs.String("text", "", "the announcement's text (required; plain text, blank lines separate paragraphs)")
	startsAt := fs.String("starts-at", "", "when the announced event starts (RFC 3339 time, or a date)")
	endsAt := fs.String("ends-at", "", "when it ends (RFC 3339 time, or a date); ended announcements are no longer listed")
	allDay := fs.Bool("all-day", false, "the event spans whole days (implied when both times are dates)")
	draft := fs.Bool("draft", false, "store it unpublished")
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	if strings.TrimSpace(*text) == "" {
		return errors.New("announcement create: --text is required")
	}
	starts, sd, err := parseAnnouncementTime("starts-at", *startsAt)
	if err != nil {
		return err
	}
	ends, ed, err := parseAnnouncementTime("ends-at", *endsAt)
	if err != nil {
		return err
	}
	a := &storage.Announcement{Text: *text, StartsAt: starts, EndsAt: ends, Published: !*draft,
		AllDay: *allDay || ((starts != nil || ends != nil) && (starts == nil || sd) && (ends == nil || ed))}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Announcements().Create(ctx, a); err != nil {
		if errors.Is(err, storage.ErrInvalid) {
			return fmt.Errorf("announcement create: %w", err)
		}
		return err
	}
	state := "published"
	if !a.Published {
		state = "draft"
	}
	fmt.Fprintf(stdout, "created announcement %s (%s)\n", a.ID, state)
	return nil
}

func cmdAnnouncementList(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("announcement list", stderr)
	registerFlags(fs, &c, false)
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Announcements().List(ctx, false, time.Now())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSTARTS\tENDS\tTEXT")
	day := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format(time.RFC3339)
	}
	for _, a := range list {
		state := "published"
		switch {
		case !a.Published:
			state = "draft"
		case a.EndsAt != nil && !a.EndsAt.After(time.Now()):
			state = "ended"
		}
		t := strings.Join(strings.Fields(a.Text), " ")
		if r := []rune(t); len(r) > 60 {
			t = string(r[:59]) + "…"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", a.ID, state, day(a.StartsAt), day(a.EndsAt), t)
	}
	return tw.Flush()
}

func cmdAnnouncementDelete(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	// The ID may come before or after the flags.
	var idArg string
	switch {
	case len(args) > 0 && !strings.HasPrefix(args[0], "-"):
		idArg, args = args[0], args[1:]
	case len(args) > 0 && !strings.HasPrefix(args[len(args)-1], "-"):
		idArg, args = args[len(args)-1], args[:len(args)-1]
	}
	var c config
	fs := newFlagSet("announcement delete", stderr)
	registerFlags(fs, &c, false)
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	if idArg == "" {
		return errors.New("announcement delete: the announcement's ID is required (herd announcement delete ID)")
	}
	id, err := storage.ParseID(idArg)
	if err != nil {
		return fmt.Errorf("announcement delete: %q is not an announcement ID", idArg)
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Announcements().Delete(ctx, id); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("announcement delete: no announcement %s", id)
		}
		return err
	}
	fmt.Fprintf(stdout, "deleted announcement %s\n", id)
	return nil
}
