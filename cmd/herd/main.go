// Command herd is the reference Herd server: a Mastodon-compatible
// ActivityPub instance composed of the Herd packages.
//
//	herd serve                      run the server (SQLite under ./herd-data by default)
//	herd migrate                    apply database migrations
//	herd version                    print the version
//	herd account create|list|set-role and moderation actions
//	herd domain block|unblock|allow|disallow|list
//	herd report, herd rule, herd audit
//	herd announcement create|list|delete
//	herd emoji add|list|remove|disable|enable
//
// Every subcommand finds the database the same way: --data/--database
// flags, then HERD_DATA/HERD_DATABASE, then the --config file.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// Version is the Herd version, set at build time with -ldflags "-X main.Version=…".
var Version = "0.1.0-dev"

// MastodonVersion is the Mastodon API version Herd is compatible with.
const MastodonVersion = "4.5.0"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `herd — a Mastodon-compatible ActivityPub server

Usage:
  herd serve [flags]             run the server
  herd migrate [flags]           apply database migrations
  herd version                   print the version
  herd account create --username U --email E [--password P] [--admin]
  herd account list [flags]
  herd account set-role --username U --role user|moderator|admin|owner
  herd media prune --older-than 30d   remove cached remote media
  herd domain block DOMAIN [--severity noop|silence|suspend] [--reject-media] [--reject-reports] [--obfuscate] [--comment C]
  herd domain unblock|allow|disallow DOMAIN
  herd domain list
  herd account approve|reject|suspend|unsuspend|silence|unsilence|sensitive|unsensitive|
               disable|enable|warn|delete-data USERNAME[@DOMAIN] [--reason TEXT] [--report ID]
  herd report list [--all] | show ID | resolve ID [--note N] | reopen ID [--note N]
  herd rule add TEXT [--hint H] | list | remove ID
  herd audit [--limit N] [--action A] [--by USERNAME]   the moderation audit log
  herd announcement create --text T [--starts-at T --ends-at T --all-day --draft]
  herd held list | release ID | discard ID   posts held for review by the policies
  herd announcement list
  herd announcement delete ID
  herd emoji add SHORTCODE FILE [--category C] [--hidden] | list | remove|disable|enable SHORTCODE

Run "herd COMMAND -h" for the flags of a command.
`

// run executes one command line and returns the process exit code. Errors
// are printed as one clear line, never as a stack trace.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, args[1:], getenv, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintf(stdout, "herd %s (Mastodon API %s)\n", Version, MastodonVersion)
	case "account":
		err = cmdAccount(ctx, args[1:], getenv, stdout, stderr)
	case "media":
		err = cmdMedia(ctx, args[1:], getenv, stdout, stderr)
	case "domain":
		err = cmdDomain(ctx, args[1:], getenv, stdout, stderr)
	case "report":
		err = cmdReport(ctx, args[1:], getenv, stdout, stderr)
	case "rule":
		err = cmdRule(ctx, args[1:], getenv, stdout, stderr)
	case "audit":
		err = cmdAudit(ctx, args[1:], getenv, stdout, stderr)
	case "announcement":
		err = cmdAnnouncement(ctx, args[1:], getenv, stdout, stderr)
	case "held":
		err = cmdHeld(ctx, args[1:], getenv, stdout, stderr)
	case "emoji":
		err = cmdEmoji(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "herd: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintf(stderr, "herd: %v\n", err)
		return 1
	}
	return 0
}
