package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/storage"
)

// holdPost keeps an inbound post a policy held (moderation.HoldFunc): the
// delivered activity, for herd held release or discard.
func (a *app) holdPost(ctx context.Context, act *moderation.Activity, reason string) error {
	post := act.Post()
	if post == nil || act.Signer == nil {
		return errors.New("not a post")
	}
	raw, err := ap.Encode(act.AP())
	if err != nil {
		return fmt.Errorf("encode held activity: %w", err)
	}
	err = a.store.HeldPosts().Create(ctx, &storage.HeldPost{AccountID: act.Signer.ID, URI: post.ID, Raw: string(raw), Reason: reason})
	if errors.Is(err, storage.ErrConflict) {
		return nil // already held (a retried delivery)
	}
	return err
}

// cmdHeld lists, releases and discards the posts held for review.
func cmdHeld(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, "usage: herd held list | release ID | discard ID\n")
		return errUsage
	}
	sub, rest := args[0], args[1:]
	m, arg, err := openModeration(ctx, "held "+sub, rest, getenv, stderr, nil)
	if err != nil {
		return err
	}
	defer m.close()
	st := m.app.store
	switch sub {
	case "list":
		held, err := st.HeldPosts().List(ctx, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tHELD AT\tPOST\tREASON")
		for _, h := range held {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", h.ID, h.CreatedAt.Format("2006-01-02 15:04"), h.URI, oneLine(h.Reason, 80))
		}
		return tw.Flush()
	case "release", "discard":
		id, err := storage.ParseID(arg)
		if err != nil {
			return fmt.Errorf("held %s: give the ID that herd held list shows", sub)
		}
		h, err := st.HeldPosts().Get(ctx, id)
		if err != nil {
			return fmt.Errorf("held %s %s: %w", sub, id, err)
		}
		if sub == "release" {
			if _, err := m.app.fed.ReleaseHeld(ctx, []byte(h.Raw)); err != nil {
				return fmt.Errorf("release %s: %w", h.URI, err)
			}
		}
		if err := st.HeldPosts().Delete(ctx, id); err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		verb := map[string]string{"release": "released", "discard": "discarded"}[sub]
		if err := st.AuditLog().Add(ctx, &storage.AuditEntry{Action: "held_post." + sub, TargetType: "held_post", TargetID: id,
			Summary: "the server " + verb + " the held post " + h.URI}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s\n", verb, h.URI)
		return nil
	}
	fmt.Fprint(stderr, "usage: herd held list | release ID | discard ID\n")
	return errUsage
}
