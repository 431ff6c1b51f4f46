// Command bot is a single-account ActivityPub bot built on Herd's engine
// alone: the ap codec, the federation package and storage (SQLite). It
// follows back whoever follows it and answers the posts that mention it.
//
//	go run ./examples/bot -public-url https://bot.example -listen :8090
//
// Local federation (a plain-http public URL and loopback peers):
//
//	go run ./examples/bot -public-url http://127.0.0.1:8090 -listen 127.0.0.1:8090 \
//		-allow-private-addresses 127.0.0.0/8
//
// See README.md for the flags and what the bot does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/herd-social/herd/storage/sqlite"
)

// Config is the command line of the bot.
type Config struct {
	Listen       string
	PublicURL    string
	DataDir      string
	Username     string
	DisplayName  string
	Summary      string
	AllowPrivate []netip.Prefix
	LogLevel     slog.Level
}

// parseConfig reads flags, with defaults from the environment (a flag beats
// its environment variable).
func parseConfig(args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("bot", flag.ContinueOnError)
	fs.SetOutput(stderr)
	c := &Config{}
	fs.StringVar(&c.Listen, "listen", env("BOT_LISTEN", "127.0.0.1:8090"), "address to listen on (env BOT_LISTEN)")
	fs.StringVar(&c.PublicURL, "public-url", env("BOT_PUBLIC_URL", "http://localhost:8090"), "public base URL, the bot's identity (env BOT_PUBLIC_URL); plain http = local federation mode")
	fs.StringVar(&c.DataDir, "data", env("BOT_DATA", "./bot-data"), "data directory holding bot.db (env BOT_DATA)")
	fs.StringVar(&c.Username, "username", env("BOT_USERNAME", "bot"), "the bot's username (env BOT_USERNAME)")
	fs.StringVar(&c.DisplayName, "name", env("BOT_NAME", "Herd bot"), "display name (env BOT_NAME)")
	fs.StringVar(&c.Summary, "summary", env("BOT_SUMMARY", "I follow back and answer mentions. Built on Herd."), "profile summary, plain text (env BOT_SUMMARY)")
	private := fs.String("allow-private-addresses", env("BOT_ALLOW_PRIVATE_ADDRESSES", ""), "comma-separated CIDRs the SSRF guard lets through, e.g. 127.0.0.0/8 (env BOT_ALLOW_PRIVATE_ADDRESSES)")
	level := fs.String("log-level", env("BOT_LOG_LEVEL", "info"), "debug, info, warn or error (env BOT_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	for _, p := range strings.Split(*private, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("-allow-private-addresses: %w", err)
		}
		c.AllowPrivate = append(c.AllowPrivate, prefix)
	}
	if err := c.LogLevel.UnmarshalText([]byte(*level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	if c.Username == "" || strings.ContainsAny(c.Username, "@/:. ") {
		return nil, fmt.Errorf("-username %q: letters, digits and _ only", c.Username)
	}
	return c, nil
}

func main() {
	cfg, err := parseConfig(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

// run opens the store, starts the bot and serves until ctx is cancelled.
func run(ctx context.Context, cfg *Config) error {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	store, err := sqlite.Open(ctx, filepath.Join(cfg.DataDir, "bot.db"), nil)
	if err != nil {
		return err
	}
	defer store.Close()
	b, err := New(ctx, store, cfg.PublicURL, &Options{
		Username: cfg.Username, DisplayName: cfg.DisplayName, Summary: cfg.Summary,
		AllowPrivate: cfg.AllowPrivate, Logger: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: b.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	ctx, cancelRun := context.WithCancel(ctx)
	defer cancelRun()
	delivered := make(chan error, 1)
	go func() { delivered <- b.Run(ctx) }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("bot ready", "handle", "@"+b.Account().Username+"@"+b.URLs().Host(), "actor", b.Account().URI, "listen", ln.Addr().String())

	select {
	case err = <-served:
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	cancelRun()
	stop := <-delivered
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	if stop != nil && !errors.Is(stop, context.Canceled) {
		return stop
	}
	return nil
}
