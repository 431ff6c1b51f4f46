package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
)

// config is the server's configuration, gathered from (in order of
// precedence) command-line flags, HERD_* environment variables, an optional
// config file, and defaults.
type config struct {
	Listen       string
	PublicURL    string
	Data         string
	Database     string
	LogLevel     string
	LogFormat    string
	AllowPrivate string
	// TrustedProxies: whose X-Forwarded-For gives the client's address.
	TrustedProxies string
	Registrations  string
	Title          string
	RateLimit      string
	ConfigFile     string
	PolicyFile     string
	// DomainBlocksVisibility: who may read the public list of blocked domains.
	DomainBlocksVisibility string
	RemoteMedia            string
	// Texts of the instance's about pages.
	ExtendedDescriptionFile string
	PrivacyPolicyFile       string
	TermsOfServiceFile      string
	TermsOfServiceDate      string
}

// setting describes one configuration key.
type setting struct {
	name  string // flag name and config-file key
	env   string
	def   string
	usage string
	field func(c *config) *string
	serve bool // only for serve
}

var settings = []setting{
	{"config", "HERD_CONFIG", "", "optional config file of `key = value` lines (keys as the flags)", func(c *config) *string { return &c.ConfigFile }, false},
	{"data", "HERD_DATA", "./herd-data", "data directory (SQLite database, media)", func(c *config) *string { return &c.Data }, false},
	{"database", "HERD_DATABASE", "", "database: sqlite:PATH or postgres://… (default sqlite:DATA/herd.db)", func(c *config) *string { return &c.Database }, false},
	{"log-level", "HERD_LOG_LEVEL", "info", "log level: debug, info, warn, error", func(c *config) *string { return &c.LogLevel }, false},
	{"log-format", "HERD_LOG_FORMAT", "text", "log format: text or json", func(c *config) *string { return &c.LogFormat }, false},
	{"listen", "HERD_LISTEN", "127.0.0.1:8080", "address to listen on", func(c *config) *string { return &c.Listen }, true},
	{"public-url", "HERD_PUBLIC_URL", "http://localhost:8080", "public URL of the server (its identity on the Fediverse)", func(c *config) *string { return &c.PublicURL }, true},
	{"registrations", "HERD_REGISTRATIONS", "approval", "who may sign up: open, approval (a moderator approves) or closed", func(c *config) *string { return &c.Registrations }, true},
	{"rate-limit", "HERD_RATE_LIMIT", "300/5m", "API requests allowed per token (or IP) and window, as N/DURATION, or off", func(c *config) *string { return &c.RateLimit }, true},
	{"title", "HERD_TITLE", "Herd", "the server's name, shown to clients and peers", func(c *config) *string { return &c.Title }, true},
	{"domain-blocks-visibility", "HERD_DOMAIN_BLOCKS_VISIBILITY", "nobody", "who may read the list of blocked domains (/api/v1/instance/domain_blocks): all, users or nobody", func(c *config) *string { return &c.DomainBlocksVisibility }, true},
	{"policy-file", "HERD_POLICY_FILE", "", "optional inbound moderation policy file (see docs/moderation.md)", func(c *config) *string { return &c.PolicyFile }, true},
	{"allow-private-addresses", "HERD_ALLOW_PRIVATE_ADDRESSES", "", "comma-separated CIDRs that outgoing requests may reach despite the SSRF guard (local testing, e.g. 127.0.0.0/8)", func(c *config) *string { return &c.AllowPrivate }, true},
	{"trusted-proxies", "HERD_TRUSTED_PROXIES", "127.0.0.1,::1", "comma-separated addresses and CIDRs of the reverse proxies in front of herd: from them, the client's address (for rate limits and IP blocks) is read from X-Forwarded-For; empty trusts none", func(c *config) *string { return &c.TrustedProxies }, true},
	{"remote-media", "HERD_REMOTE_MEDIA", "cache", "remote attachments, avatars and headers: cache (fetched in the background, served from /media/) or link (left at their remote URLs)", func(c *config) *string { return &c.RemoteMedia }, true},
	{"extended-description-file", "HERD_EXTENDED_DESCRIPTION_FILE", "", "file of the extended description (HTML or plain text) served at /api/v1/instance/extended_description", func(c *config) *string { return &c.ExtendedDescriptionFile }, true},
	{"privacy-policy-file", "HERD_PRIVACY_POLICY_FILE", "", "file of the privacy policy (HTML or plain text) served at /api/v1/instance/privacy_policy", func(c *config) *string { return &c.PrivacyPolicyFile }, true},
	{"terms-of-service-file", "HERD_TERMS_OF_SERVICE_FILE", "", "file of the terms of service (HTML or plain text) served at /api/v1/instance/terms_of_service", func(c *config) *string { return &c.TermsOfServiceFile }, true},
	{"terms-of-service-date", "HERD_TERMS_OF_SERVICE_DATE", "", "day the terms of service came into effect, YYYY-MM-DD (default the file's modification day)", func(c *config) *string { return &c.TermsOfServiceDate }, true},
}

// registerFlags adds the settings' flags to fs (serve-only ones when serve is set).
func registerFlags(fs *flag.FlagSet, c *config, serve bool) {
	for _, s := range settings {
		if s.serve && !serve {
			continue
		}
		fs.StringVar(s.field(c), s.name, "", s.usage+" (env "+s.env+"; default "+quoteDefault(s.def)+")")
	}
}

func quoteDefault(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// resolveConfig fills what flags left empty from the environment, the config
// file and defaults, then validates.
func resolveConfig(fs *flag.FlagSet, c *config, getenv func(string) string, serve bool) error {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	// The config file path itself comes from a flag or the environment.
	if !set["config"] && c.ConfigFile == "" {
		c.ConfigFile = getenv("HERD_CONFIG")
	}
	file := map[string]string{}
	if c.ConfigFile != "" {
		var err error
		if file, err = readConfigFile(c.ConfigFile); err != nil {
			return err
		}
	}
	for _, s := range settings {
		if s.name == "config" || (s.serve && !serve) {
			continue
		}
		p := s.field(c)
		if set[s.name] {
			continue
		}
		if v := getenv(s.env); v != "" {
			*p = v
		} else if v, ok := file[s.name]; ok {
			*p = v
		} else {
			*p = s.def
		}
	}
	for k := range file {
		if !knownSetting(k) {
			return fmt.Errorf("config file %s: unknown key %q", c.ConfigFile, k)
		}
	}
	return c.validate(serve)
}

func knownSetting(name string) bool {
	for _, s := range settings {
		if s.name == name && name != "config" {
			return true
		}
	}
	return false
}

func readConfigFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	defer f.Close()
	return parseConfig(f, path)
}

// parseConfig reads `key = value` lines; blank lines and # comments are ignored.
func parseConfig(r io.Reader, name string) (map[string]string, error) {
	out := map[string]string{}
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		t := strings.TrimSpace(sc.Text())
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok {
			return nil, fmt.Errorf("config file %s:%d: want key = value", name, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		v = strings.Trim(v, `"`)
		if k == "" {
			return nil, fmt.Errorf("config file %s:%d: empty key", name, line)
		}
		out[k] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("config file %s: %w", name, err)
	}
	return out, nil
}

func (c *config) validate(serve bool) error {
	if c.Data == "" {
		return errors.New("--data must not be empty")
	}
	if c.Database == "" {
		c.Database = "sqlite:" + filepath.Join(c.Data, "herd.db")
	}
	if _, _, err := parseDatabase(c.Database); err != nil {
		return err
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("--log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("--log-format %q: want text or json", c.LogFormat)
	}
	if !serve {
		return nil
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("--listen %q: want host:port", c.Listen)
	}
	if _, err := social.NewURLs(c.PublicURL); err != nil {
		return fmt.Errorf("--public-url: %w", err)
	}
	if _, err := c.allowPrivate(); err != nil {
		return err
	}
	if _, err := c.rateLimit(); err != nil {
		return err
	}
	switch c.DomainBlocksVisibility {
	case "all", "users", "nobody":
	default:
		return fmt.Errorf("--domain-blocks-visibility %q: want all, users or nobody", c.DomainBlocksVisibility)
	}
	switch c.Registrations {
	case "open", "approval", "closed":
	default:
		return fmt.Errorf("--registrations %q: want open, approval or closed", c.Registrations)
	}
	if _, err := c.instanceTexts(); err != nil {
		return err
	}
	if _, err := parseTrustedProxies(c.TrustedProxies); err != nil {
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	return nil
}

// allowPrivate parses --allow-private-addresses.
func (c *config) allowPrivate() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(c.AllowPrivate, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			if a, aerr := netip.ParseAddr(part); aerr == nil {
				p = netip.PrefixFrom(a, a.BitLen())
			} else {
				return nil, fmt.Errorf("--allow-private-addresses: %q is not a CIDR", part)
			}
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// parseDatabase splits a database setting into its kind ("sqlite" or
// "postgres") and the path or DSN.
func parseDatabase(s string) (kind, target string, err error) {
	switch {
	case strings.HasPrefix(s, "postgres://"), strings.HasPrefix(s, "postgresql://"):
		return "postgres", s, nil
	case strings.HasPrefix(s, "sqlite://"):
		target = strings.TrimPrefix(s, "sqlite://")
	case strings.HasPrefix(s, "sqlite:"):
		target = strings.TrimPrefix(s, "sqlite:")
	default:
		return "", "", fmt.Errorf("--database %q: want sqlite:PATH or postgres://…", s)
	}
	if target == "" {
		return "", "", fmt.Errorf("--database %q: empty SQLite path", s)
	}
	return "sqlite", target, nil
}

// rateLimit parses --rate-limit: "off" or N/DURATION such as 300/5m.
func (c *config) rateLimit() (mastoapi.RateLimit, error) {
	if c.RateLimit == "off" {
		return mastoapi.RateLimit{Disabled: true}, nil
	}
	n, d, ok := strings.Cut(c.RateLimit, "/")
	reqs, err1 := strconv.Atoi(n)
	window, err2 := time.ParseDuration(d)
	if !ok || err1 != nil || err2 != nil || reqs <= 0 || window <= 0 {
		return mastoapi.RateLimit{}, fmt.Errorf("--rate-limit %q: want N/DURATION such as 300/5m, or off", c.RateLimit)
	}
	return mastoapi.RateLimit{Requests: reqs, Window: window}, nil
}
