package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

const domainUsage = `usage:
  herd domain block DOMAIN [--severity noop|silence|suspend] [--reject-media] [--reject-reports] [--obfuscate] [--comment TEXT] [--public-comment TEXT]
  herd domain unblock DOMAIN
  herd domain allow DOMAIN
  herd domain disallow DOMAIN
  herd domain list
`

// cmdDomain administers instance-level domain blocks and allows. A running
// server (another process) applies a change within a few seconds (see
// moderation.DefaultDomainsTTL).
func cmdDomain(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, domainUsage)
		return errUsage
	}
	sub, rest := args[0], args[1:]
	var c config
	fs := newFlagSet("domain "+sub, stderr)
	registerFlags(fs, &c, false)
	publicURL := fs.String("public-url", "", "public URL of the server (env HERD_PUBLIC_URL; default http://localhost:8080)")
	var severity, comment, publicComment *string
	var rejectMedia, rejectReports, obfuscate *bool
	switch sub {
	case "block":
		severity = fs.String("severity", "suspend", "noop, silence (limit) or suspend")
		rejectMedia = fs.Bool("reject-media", false, "never fetch nor store the domain's media")
		rejectReports = fs.Bool("reject-reports", false, "ignore reports from the domain")
		obfuscate = fs.Bool("obfuscate", false, "hide the domain's name in the public list of blocks")
		comment = fs.String("comment", "", "private comment for moderators")
		publicComment = fs.String("public-comment", "", "reason shown in the public list of blocks")
	case "unblock", "allow", "disallow", "list":
	default:
		fmt.Fprintf(stderr, "herd domain: unknown subcommand %q\n%s", sub, domainUsage)
		return errUsage
	}
	// The domain may come before, between or after the flags.
	domain, rest := splitPositional(fs, rest)
	if err := parseFlags(fs, rest, &c, getenv, false); err != nil {
		return err
	}
	if sub != "list" && domain == "" {
		return fmt.Errorf("domain %s: a DOMAIN is required", sub)
	}
	urls, err := cliURLs(*publicURL, getenv)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, &c, true)
	if err != nil {
		return err
	}
	defer st.Close()
	domains := moderation.NewDomains(st, &moderation.DomainsOptions{LocalDomain: urls.Host()})
	svc := social.New(st, urls, &social.Options{Domains: domains})

	switch sub {
	case "block":
		sev := storage.DomainSeverity(*severity)
		p := social.DomainBlockParams{Severity: &sev}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if set["reject-media"] {
			p.RejectMedia = rejectMedia
		}
		if set["reject-reports"] {
			p.RejectReports = rejectReports
		}
		if set["obfuscate"] {
			p.Obfuscate = obfuscate
		}
		if set["comment"] {
			p.PrivateComment = comment
		}
		if set["public-comment"] {
			p.PublicComment = publicComment
		}
		b, err := svc.CreateDomainBlock(ctx, nil, domain, p)
		var exists *social.ErrDomainBlockExists
		if errors.As(err, &exists) {
			// Blocking again updates the block.
			b, err = svc.UpdateDomainBlock(ctx, nil, exists.Existing.ID, p)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "blocked %s (%s)\n", b.Domain, b.Severity)
		if b.Severity == storage.SeveritySuspend {
			lost, err := st.Severances().AccountDomains(ctx, b.Domain)
			if err == nil && len(lost) > 0 {
				fmt.Fprintf(stdout, "follows with %d known server(s) under %s were severed\n", len(lost), b.Domain)
			}
		}
	case "unblock":
		b, err := svc.DomainBlockByDomain(ctx, domain)
		if err != nil {
			return fmt.Errorf("%s is not blocked", domain)
		}
		if _, err := svc.DeleteDomainBlock(ctx, nil, b.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "unblocked %s\n", b.Domain)
	case "allow":
		a, err := svc.CreateDomainAllow(ctx, nil, domain)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "allowed %s\n", a.Domain)
	case "disallow":
		a, err := svc.DomainAllowByDomain(ctx, domain)
		if err != nil {
			return fmt.Errorf("%s is not allowed", domain)
		}
		if _, err := svc.DeleteDomainAllow(ctx, nil, a.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "disallowed %s\n", a.Domain)
	case "list":
		blocks, err := svc.AllDomainBlocks(ctx)
		if err != nil {
			return err
		}
		allows, err := st.DomainAllows().All(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DOMAIN\tACTION\tREJECT MEDIA\tREJECT REPORTS\tOBFUSCATE\tCOMMENT")
		for _, b := range blocks {
			fmt.Fprintf(tw, "%s\t%s\t%t\t%t\t%t\t%s\n", b.Domain, b.Severity, b.RejectMedia, b.RejectReports, b.Obfuscate, b.PrivateComment)
		}
		for _, a := range allows {
			fmt.Fprintf(tw, "%s\tallow\t\t\t\t\n", a.Domain)
		}
		return tw.Flush()
	}
	return nil
}

// splitPositional takes the first argument that is neither a flag nor a
// flag's value out of args.
func splitPositional(fs *flag.FlagSet, args []string) (string, []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			if i+1 < len(args) {
				return args[i+1], append(append([]string{}, args[:i]...), args[i+2:]...)
			}
			return "", args
		}
		if !strings.HasPrefix(a, "-") {
			return a, append(append([]string{}, args[:i]...), args[i+1:]...)
		}
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if bf, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && bf.IsBoolFlag() {
				continue
			}
			i++ // skip the value
		}
	}
	return "", args
}
