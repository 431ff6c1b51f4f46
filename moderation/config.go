package moderation

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config is an instance's policy configuration, read from a policy file
// (see ParseConfig).
type Config struct {
	// LimitedFederation turns on allow-list federation (see
	// DomainsOptions.AllowList).
	LimitedFederation bool
	Keywords          KeywordRules
	RejectHashtags    []string
	SensitiveHashtags []string
	StripMediaDomains []string
	// MaxMentions caps the mentions of a post (0: no cap).
	MaxMentions int
	// NewAccountMinAge holds (or drops) the posts of accounts first seen more
	// recently (0: off).
	NewAccountMinAge time.Duration
	// NewAccountAction is what happens to those posts: "hold" (the
	// default: kept for review through Hold, when set) or "drop".
	NewAccountAction string
	// Hold keeps a post for review; set by the server (not parsed). Nil
	// drops held posts.
	Hold HoldFunc
}

// maxConfigLine bounds one line of a policy file.
const maxConfigLine = 64 << 10

// ParseConfig reads a policy file: one "key = value" per line, blank lines
// and lines starting with '#' ignored, keys repeated to give several
// values. The keys:
//
//	limited_federation = true            # allow-list federation
//	reject_keyword     = buy followers   # case-insensitive substring
//	reject_regexp      = (?i)free\s+crypto
//	sensitive_keyword  = nsfw
//	sensitive_regexp   = (?i)\bspoilers?\b
//	reject_hashtag     = spam            # with or without '#'
//	sensitive_hashtag  = gore
//	strip_media_domain = media.example   # and its subdomains
//	max_mentions       = 10
//	new_account_min_age = 24h            # Go duration: 90m, 24h, 168h
//	new_account_action  = hold           # hold (for review; the default) or drop
//
// Values are taken verbatim after trimming spaces (no quoting, no inline
// comments, so that a keyword may contain '#'). Unknown keys and bad
// values are errors naming the line.
func ParseConfig(r io.Reader) (*Config, error) {
	c := &Config{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 4096), maxConfigLine)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if line == "" || line[0] == '#' {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("policy file line %d: want key = value", n)
		}
		key, val = strings.ToLower(strings.TrimSpace(key)), strings.TrimSpace(val)
		if err := c.set(key, val); err != nil {
			return nil, fmt.Errorf("policy file line %d: %s: %w", n, key, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("policy file line %d: %w", n+1, err)
	}
	return c, nil
}

func (c *Config) set(key, val string) error {
	nonEmpty := func() error {
		if val == "" {
			return fmt.Errorf("empty value")
		}
		return nil
	}
	switch key {
	case "limited_federation":
		b, err := strconv.ParseBool(val)
		if err != nil {
			return fmt.Errorf("want true or false")
		}
		c.LimitedFederation = b
	case "reject_keyword", "sensitive_keyword", "reject_hashtag", "sensitive_hashtag", "strip_media_domain":
		if err := nonEmpty(); err != nil {
			return err
		}
		dst := map[string]*[]string{
			"reject_keyword": &c.Keywords.Reject, "sensitive_keyword": &c.Keywords.Sensitive,
			"reject_hashtag": &c.RejectHashtags, "sensitive_hashtag": &c.SensitiveHashtags,
			"strip_media_domain": &c.StripMediaDomains,
		}[key]
		*dst = append(*dst, val)
	case "reject_regexp", "sensitive_regexp":
		if err := nonEmpty(); err != nil {
			return err
		}
		re, err := regexp.Compile(val)
		if err != nil {
			return fmt.Errorf("bad regular expression: %w", err)
		}
		if key == "reject_regexp" {
			c.Keywords.RejectRegexp = append(c.Keywords.RejectRegexp, re)
		} else {
			c.Keywords.SensitiveRegexp = append(c.Keywords.SensitiveRegexp, re)
		}
	case "max_mentions":
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return fmt.Errorf("want a number ≥ 0")
		}
		c.MaxMentions = n
	case "new_account_action":
		switch val {
		case "hold", "drop":
			c.NewAccountAction = val
		default:
			return fmt.Errorf("want hold or drop")
		}
	case "new_account_min_age":
		d, err := time.ParseDuration(val)
		if err != nil || d < 0 {
			return fmt.Errorf("want a duration such as 24h")
		}
		c.NewAccountMinAge = d
	default:
		return fmt.Errorf("unknown key")
	}
	return nil
}

// LoadConfig reads the policy file at path (see ParseConfig).
func LoadConfig(path string) (*Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("policy file: %w", err)
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Policies returns the built-in policies the configuration asks for, in
// a sensible order (cheapest first). DomainPolicy is not among them: put
// it first in the chain (see NewChain). now nil means time.Now.
func (c *Config) Policies(now func() time.Time) []Policy {
	var out []Policy
	if len(c.StripMediaDomains) > 0 {
		out = append(out, MediaDomainPolicy(c.StripMediaDomains))
	}
	if c.NewAccountMinAge > 0 {
		hold := c.Hold
		if c.NewAccountAction == "drop" {
			hold = nil
		}
		out = append(out, NewAccountHoldPolicy(c.NewAccountMinAge, now, hold))
	}
	if c.MaxMentions > 0 {
		out = append(out, MentionCapPolicy(c.MaxMentions))
	}
	if len(c.RejectHashtags) > 0 || len(c.SensitiveHashtags) > 0 {
		out = append(out, HashtagPolicy(c.RejectHashtags, c.SensitiveHashtags))
	}
	k := c.Keywords
	if len(k.Reject)+len(k.RejectRegexp)+len(k.Sensitive)+len(k.SensitiveRegexp) > 0 {
		out = append(out, KeywordPolicy(k))
	}
	return out
}
