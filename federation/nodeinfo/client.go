package nodeinfo

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxBodyBytes bounds each response the Client reads unless
// ClientOptions.MaxBodyBytes says otherwise.
const DefaultMaxBodyBytes = 256 << 10

// ClientOptions configures a Client.
type ClientOptions struct {
	// AllowHTTP makes discovery use plain http and accept http links: a
	// local testing mode. There is no https-to-http fallback.
	AllowHTTP bool
	// MaxBodyBytes bounds each response; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// UserAgent is sent when set (a transport.Client's HTTP client already
	// sets one).
	UserAgent string
}

// Client fetches NodeInfo from peers.
type Client struct {
	http      *http.Client
	allowHTTP bool
	maxBody   int64
	userAgent string
}

// NewClient returns a Client using httpClient (nil: a plain client with a
// 10 s timeout and no address checks — pass a federation/transport client's
// HTTPClient() in production).
func NewClient(httpClient *http.Client, opts *ClientOptions) *Client {
	var o ClientOptions
	if opts != nil {
		o = *opts
	}
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 10 * time.Second}
	}
	c := &Client{http: httpClient, allowHTTP: o.AllowHTTP, maxBody: o.MaxBodyBytes, userAgent: o.UserAgent}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	return c
}

// Discover returns the links of host's /.well-known/nodeinfo. host is a
// host name with an optional port ("example.com", "127.0.0.1:8080").
func (c *Client) Discover(ctx context.Context, host string) (*WellKnown, error) {
	if host == "" || strings.ContainsAny(host, "/?#@ \\") {
		return nil, fmt.Errorf("nodeinfo: invalid host %q", host)
	}
	scheme := "https"
	if c.allowHTTP {
		scheme = "http"
	}
	target := scheme + "://" + host + WellKnownPath
	if u, err := url.Parse(target); err != nil || u.Host != host || u.Hostname() == "" {
		return nil, fmt.Errorf("nodeinfo: invalid host %q", host)
	}
	var wk WellKnown
	if err := c.getJSON(ctx, target, &wk); err != nil {
		return nil, err
	}
	return &wk, nil
}

// Fetch discovers host's NodeInfo and fetches the newest supported version
// (2.1, else 2.0). The result's Version is set from the link when the
// document omits it. It fails with ErrNotFound when the host offers neither.
func (c *Client) Fetch(ctx context.Context, host string) (*NodeInfo, error) {
	wk, err := c.Discover(ctx, host)
	if err != nil {
		return nil, err
	}
	href, version := pickLink(wk.Links)
	if href == "" {
		return nil, fmt.Errorf("nodeinfo: %s: %w (no 2.0 or 2.1 link)", host, ErrNotFound)
	}
	base, _ := url.Parse("https://" + host + WellKnownPath)
	if c.allowHTTP {
		base.Scheme = "http"
	}
	u, err := base.Parse(href)
	if err != nil || u.Host == "" || !c.schemeAllowed(u.Scheme) {
		return nil, fmt.Errorf("nodeinfo: %s: unusable link %q", host, href)
	}
	var ni NodeInfo
	if err := c.getJSON(ctx, u.String(), &ni); err != nil {
		return nil, err
	}
	if ni.Version == "" {
		ni.Version = version
	}
	return &ni, nil
}

func (c *Client) schemeAllowed(s string) bool {
	s = strings.ToLower(s)
	return s == "https" || (s == "http" && c.allowHTTP)
}

// pickLink returns the href of the 2.1 link, else the 2.0 link. Relations
// are compared leniently: http or https, with or without a trailing '#'.
func pickLink(links []Link) (href, version string) {
	var h20 string
	for _, l := range links {
		rel := strings.TrimRight(strings.TrimSpace(l.Rel), "#/")
		rel = strings.TrimPrefix(strings.TrimPrefix(rel, "http://"), "https://")
		switch rel {
		case "nodeinfo.diaspora.software/ns/schema/2.1":
			if l.Href != "" {
				return l.Href, "2.1"
			}
		case "nodeinfo.diaspora.software/ns/schema/2.0":
			if h20 == "" {
				h20 = l.Href
			}
		}
	}
	if h20 != "" {
		return h20, "2.0"
	}
	return "", ""
}

func (c *Client) getJSON(ctx context.Context, target string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("nodeinfo: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("nodeinfo: get %s: %w", target, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return fmt.Errorf("nodeinfo: get %s: %w (status %d)", target, ErrNotFound, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("nodeinfo: get %s: status %d", target, resp.StatusCode)
	}
	if resp.ContentLength > c.maxBody {
		return fmt.Errorf("nodeinfo: get %s: response of %d bytes exceeds limit of %d", target, resp.ContentLength, c.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return fmt.Errorf("nodeinfo: get %s: read: %w", target, err)
	}
	if int64(len(body)) > c.maxBody {
		return fmt.Errorf("nodeinfo: get %s: response exceeds limit of %d bytes", target, c.maxBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("nodeinfo: get %s: decode: %w", target, err)
	}
	return nil
}
