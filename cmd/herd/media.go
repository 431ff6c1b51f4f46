package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/social/federate"
	"github.com/herd-social/herd/storage"
)

// newMediaFetcher builds the cache of remote media (nil with
// --remote-media link): its own SSRF-guarded client, with bodies as large
// as the media limits allow.
func newMediaFetcher(c *config, svc *media.Service, allow []netip.Prefix, allowHTTP bool, urls *social.URLs, log *slog.Logger,
	rejectMedia func(ctx context.Context, domain string) bool) (*media.Fetcher, error) {
	switch c.RemoteMedia {
	case "", "cache":
	case "link":
		return nil, nil
	default:
		return nil, fmt.Errorf("--remote-media %q: want cache or link", c.RemoteMedia)
	}
	l := svc.Limits()
	client := transport.New(&transport.Options{
		UserAgent:    fmt.Sprintf("herd/%s (+%s)", Version, urls.Base()),
		AllowPrivate: allow,
		AllowHTTP:    allowHTTP,
		Timeout:      media.DefaultFetchTimeout,
		MaxBodyBytes: max(l.ImageSizeLimit, l.VideoSizeLimit),
	})
	// Media of domains blocked with reject_media (or suspended) are never
	// fetched.
	return media.NewFetcher(svc, client.HTTPClient(), &media.FetcherOptions{Logger: log.With("component", "media-fetch"), RejectMedia: rejectMedia}), nil
}

// profileCaching wraps the accounts the resolver stores so that remote
// avatars and headers are cached.
func (a *app) profileCaching(accounts storage.Accounts) storage.Accounts {
	if a.fetcher == nil {
		return accounts
	}
	return a.fetcher.Accounts(accounts)
}

// mediaCache is what federation gives inbound attachments to (nil when
// remote media are not cached; never a nil *media.Fetcher in an interface).
func (a *app) mediaCache() federate.MediaCache {
	if a.fetcher == nil {
		return nil
	}
	return a.fetcher
}

// newMediaService builds the media service on the filesystem blobs under
// the data directory.
func newMediaService(st storage.Store, c *config, urls *social.URLs) (*media.Service, media.Blobs, error) {
	blobs, err := media.NewFS(filepath.Join(c.Data, "media"), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("media directory: %w", err)
	}
	proc := media.NewProcessor(nil)
	return media.NewService(st, blobs, proc, urls.Media, nil), blobs, nil
}

func cmdMedia(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "prune" {
		fmt.Fprint(stderr, "usage: herd media prune --older-than DURATION (e.g. 30d, 720h)\n")
		return errUsage
	}
	var c config
	fs := newFlagSet("media prune", stderr)
	registerFlags(fs, &c, false)
	olderThan := fs.String("older-than", "", "remove cached remote media older than this (e.g. 30d, 72h) (required)")
	if err := parseFlags(fs, args[1:], &c, getenv, false); err != nil {
		return err
	}
	age, err := parseAge(*olderThan)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	urls, _ := social.NewURLs("http://localhost")
	svc, _, err := newMediaService(st, &c, urls)
	if err != nil {
		return err
	}
	defer svc.Close(context.WithoutCancel(ctx))
	bar := &progressBar{w: stderr}
	n, err := svc.Prune(ctx, time.Now().Add(-age), bar.update)
	bar.finish()
	if err != nil {
		return fmt.Errorf("media prune: %w", err)
	}
	fmt.Fprintf(stdout, "removed the cached files of %d remote attachments, avatars and headers older than %s (local media kept)\n", n, *olderThan)
	return nil
}

// parseAge reads a duration such as 30d, 12h or 90m.
func parseAge(s string) (time.Duration, error) {
	if s == "" {
		return 0, errors.New("--older-than is required (e.g. 30d)")
	}
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("--older-than %q: want a number of days like 30d, or a duration like 72h", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	dur, err := time.ParseDuration(s)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("--older-than %q: want a number of days like 30d, or a duration like 72h", s)
	}
	return dur, nil
}

// progressBar draws "[#####-----]  50/100" on one terminal line.
type progressBar struct {
	w    io.Writer
	last string
}

func (p *progressBar) update(done, total int) {
	const width = 30
	if total <= 0 {
		return
	}
	filled := done * width / total
	line := fmt.Sprintf("\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat("-", width-filled), done, total)
	if line != p.last {
		io.WriteString(p.w, line)
		p.last = line
	}
}

func (p *progressBar) finish() {
	if p.last != "" {
		io.WriteString(p.w, "\n")
	}
}
