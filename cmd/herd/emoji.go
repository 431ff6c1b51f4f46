package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// The emoji command manages the instance's custom emojis. It composes the
// server like the moderation commands (same flags, database and media
// directory as serve), stores images through the media service and
// records each change in the audit log. Running servers see the changes at
// once: emojis are read from the database.

const emojiUsage = "usage: herd emoji add SHORTCODE FILE [--category C] [--hidden] | list | remove|disable|enable SHORTCODE\n"

func cmdEmoji(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, emojiUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "add":
		return cmdEmojiAdd(ctx, rest, getenv, stdout, stderr)
	case "list":
		m, arg, err := openModeration(ctx, "emoji list", rest, getenv, stderr, nil)
		if err != nil {
			return err
		}
		defer m.close()
		if arg != "" {
			return fmt.Errorf("emoji list: unexpected argument %q", arg)
		}
		list, err := m.app.svc.CustomEmojis(ctx, true)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SHORTCODE\tSTATE\tPICKER\tCATEGORY\tURL")
		for _, e := range list {
			state, picker := "enabled", "shown"
			if e.Disabled {
				state = "disabled"
			}
			if !e.VisibleInPicker {
				picker = "hidden"
			}
			cat := e.Category
			if cat == "" {
				cat = "-"
			}
			fmt.Fprintf(tw, ":%s:\t%s\t%s\t%s\t%s\n", e.Shortcode, state, picker, cat, e.ImageURL)
		}
		return tw.Flush()
	case "remove", "disable", "enable":
		m, code, err := openModeration(ctx, "emoji "+sub, rest, getenv, stderr, nil)
		if err != nil {
			return err
		}
		defer m.close()
		code = strings.Trim(code, ":")
		if code == "" {
			return fmt.Errorf("emoji %s: give the emoji's shortcode: herd emoji %s blobcat", sub, sub)
		}
		if sub == "remove" {
			e, err := m.app.svc.RemoveCustomEmoji(ctx, nil, code)
			if err != nil {
				return err
			}
			if m.app.media != nil {
				if err := m.app.media.DeleteEmojiImage(ctx, e.ImageKey, e.StaticKey); err != nil {
					fmt.Fprintf(stderr, "herd: emoji :%s: removed, but its files were not: %v\n", code, err)
				}
			}
			fmt.Fprintf(stdout, "removed :%s:\n", e.Shortcode)
			return nil
		}
		if _, err := m.app.svc.SetCustomEmojiDisabled(ctx, nil, code, sub == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%sd :%s:\n", sub, code)
		return nil
	}
	fmt.Fprintf(stderr, "herd emoji: unknown subcommand %q (want add, list, remove, disable or enable)\n", sub)
	return errUsage
}

func cmdEmojiAdd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprint(stderr, emojiUsage)
		return errUsage
	}
	code := strings.Trim(args[0], ":")
	if !storage.ValidShortcode(code) {
		return fmt.Errorf("emoji add: shortcode %q: want 2 to 100 letters, digits or underscores", code)
	}
	var category string
	var hidden bool
	m, file, err := openModeration(ctx, "emoji add", args[1:], getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&category, "category", "", "the picker category")
		fs.BoolVar(&hidden, "hidden", false, "usable in posts but not listed in clients' pickers")
	})
	if err != nil {
		return err
	}
	defer m.close()
	if file == "" {
		return errors.New("emoji add: give the image file: herd emoji add blobcat blobcat.png")
	}
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("emoji add: %w", err)
	}
	defer f.Close()
	img, err := m.app.media.StoreEmojiImage(ctx, code, f)
	if err != nil {
		if media.IsInputError(err) {
			return fmt.Errorf("emoji add: %s: %w", file, err)
		}
		return err
	}
	e := &storage.CustomEmoji{Shortcode: code, ImageURL: img.ImageURL, StaticURL: img.StaticURL, ImageKey: img.ImageKey,
		StaticKey: img.StaticKey, ContentType: img.ContentType, Size: img.Size, Category: category, VisibleInPicker: !hidden}
	if err := m.app.svc.AddCustomEmoji(ctx, nil, e); err != nil {
		if derr := m.app.media.DeleteEmojiImage(context.WithoutCancel(ctx), img.ImageKey, img.StaticKey); derr != nil {
			err = errors.Join(err, fmt.Errorf("emoji add: removing the stored image: %w", derr))
		}
		var ve *social.ValidationError
		if errors.As(err, &ve) {
			return fmt.Errorf("emoji add: :%s:: %s %s", code, ve.Field, ve.Message)
		}
		return err
	}
	fmt.Fprintf(stdout, "added :%s: (%s, %d bytes) %s\n", e.Shortcode, e.ContentType, e.Size, e.ImageURL)
	return nil
}
