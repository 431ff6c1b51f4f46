package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/postgres"
	"github.com/herd-social/herd/storage/sqlite"
)

// errUsage reports a usage error already printed by the flag package.
var errUsage = errors.New("usage")

// parseFlags parses a subcommand's flags and resolves the configuration.
func parseFlags(fs *flag.FlagSet, args []string, c *config, getenv func(string) string, serve bool) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return errUsage
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	return resolveConfig(fs, c, getenv, serve)
}

func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("herd "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// storeHandle is an open store plus what backend-specific commands need.
type storeHandle struct {
	storage.Store
	migrate func(ctx context.Context) ([]string, error)
	kind    string
	pgDB    *sql.DB // PostgreSQL only: for LISTEN/NOTIFY
	dsn     string
}

// openStore opens the configured database. With migrate set, pending
// migrations are applied.
func openStore(ctx context.Context, c *config, migrate bool) (*storeHandle, error) {
	kind, target, err := parseDatabase(c.Database)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	switch kind {
	case "sqlite":
		dir := filepath.Dir(target)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("data directory: %w", err)
		}
		s, err := sqlite.Open(ctx, target, &sqlite.Options{SkipMigrations: !migrate})
		if err != nil {
			return nil, err
		}
		return &storeHandle{Store: s, migrate: s.Migrate, kind: kind}, nil
	default:
		s, err := postgres.Open(ctx, target, &postgres.Options{SkipMigrations: !migrate})
		if err != nil {
			return nil, fmt.Errorf("%w (is PostgreSQL running and the URL right?)", err)
		}
		return &storeHandle{Store: s, migrate: s.Migrate, kind: kind, pgDB: s.DB().DB, dsn: target}, nil
	}
}

func newLogger(c *config, w io.Writer) *slog.Logger {
	var lvl slog.Level
	_ = lvl.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: lvl}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

func cmdMigrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var c config
	fs := newFlagSet("migrate", stderr)
	registerFlags(fs, &c, false)
	if err := parseFlags(fs, args, &c, getenv, false); err != nil {
		return err
	}
	st, err := openStore(ctx, &c, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ran, err := st.migrate(ctx)
	for _, name := range ran {
		fmt.Fprintf(stdout, "applied %s\n", name)
	}
	if err != nil {
		return err
	}
	if len(ran) == 0 {
		fmt.Fprintln(stdout, "database is up to date")
	}
	return nil
}
