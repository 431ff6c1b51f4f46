package webfinger

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultMaxBodyBytes bounds the responses Client reads unless
// ClientOptions.MaxBodyBytes says otherwise.
const DefaultMaxBodyBytes = 256 << 10

// ClientOptions configures a Client.
type ClientOptions struct {
	// AllowHTTP makes every query use plain http instead of https: a local
	// testing mode. There is no fallback from one scheme to the other.
	AllowHTTP bool
	// MaxBodyBytes bounds each response; DefaultMaxBodyBytes when zero.
	MaxBodyBytes int64
	// UserAgent is sent when set (a transport.Client's HTTP client already
	// sets one).
	UserAgent string
	// DisableHostMeta turns off the host-meta lrdd fallback tried when the
	// direct query answers 404.
	DisableHostMeta bool
}

// Client looks up WebFinger resources on remote hosts.
type Client struct {
	http      *http.Client
	scheme    string
	maxBody   int64
	userAgent string
	hostMeta  bool
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
	c := &Client{http: httpClient, scheme: "https", maxBody: o.MaxBodyBytes, userAgent: o.UserAgent, hostMeta: !o.DisableHostMeta}
	if o.AllowHTTP {
		c.scheme = "http"
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	return c
}

// Lookup resolves resource (any form ParseResource accepts) by querying
// <scheme>://host/.well-known/webfinger?resource=…, where host is the
// resource's host (with its port). When that answers 404 it tries the
// lrdd template of the host's host-meta. It returns an error wrapping
// ErrNotFound when the peer does not know the resource.
func (c *Client) Lookup(ctx context.Context, resource string) (*JRD, error) {
	res, err := ParseResource(resource)
	if err != nil {
		return nil, err
	}
	q := url.URL{
		Scheme:   c.scheme,
		Host:     res.Host,
		Path:     wellKnownPath,
		RawQuery: url.Values{"resource": {res.String()}}.Encode(),
	}
	jrd, err := c.fetchJRD(ctx, q.String())
	if errors.Is(err, ErrNotFound) && c.hostMeta {
		tmpl, herr := c.lrdd(ctx, res.Host)
		if herr != nil || tmpl == "" {
			return nil, err
		}
		target := strings.ReplaceAll(tmpl, "{uri}", url.QueryEscape(res.String()))
		if target == q.String() {
			return nil, err
		}
		if tu, perr := url.Parse(target); perr != nil || !c.schemeAllowed(tu.Scheme) || tu.Host == "" {
			return nil, fmt.Errorf("webfinger: host-meta of %s: unusable lrdd template %q", res.Host, tmpl)
		}
		return c.fetchJRD(ctx, target)
	}
	return jrd, err
}

func (c *Client) schemeAllowed(s string) bool {
	s = strings.ToLower(s)
	return s == "https" || (s == "http" && c.scheme == "http")
}

func (c *Client) get(ctx context.Context, target, accept string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return nil, fmt.Errorf("webfinger: %w", err)
	}
	req.Header.Set("Accept", accept)
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webfinger: get %s: %w", target, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("webfinger: get %s: %w (status %d)", target, ErrNotFound, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("webfinger: get %s: status %d", target, resp.StatusCode)
	}
	if resp.ContentLength > c.maxBody {
		return nil, fmt.Errorf("webfinger: get %s: response of %d bytes exceeds limit of %d", target, resp.ContentLength, c.maxBody)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("webfinger: get %s: read: %w", target, err)
	}
	if int64(len(body)) > c.maxBody {
		return nil, fmt.Errorf("webfinger: get %s: response exceeds limit of %d bytes", target, c.maxBody)
	}
	return body, nil
}

func (c *Client) fetchJRD(ctx context.Context, target string) (*JRD, error) {
	body, err := c.get(ctx, target, MediaTypeJRD+", application/json;q=0.9")
	if err != nil {
		return nil, err
	}
	var jrd JRD
	if err := json.Unmarshal(body, &jrd); err != nil {
		return nil, fmt.Errorf("webfinger: get %s: decode JRD: %w", target, err)
	}
	return &jrd, nil
}

// lrdd returns the lrdd template from host's host-meta (XRD, falling back
// to host-meta.json), or "".
func (c *Client) lrdd(ctx context.Context, host string) (string, error) {
	base := c.scheme + "://" + host
	if body, err := c.get(ctx, base+hostMetaPath, MediaTypeXRD+", application/xml;q=0.9"); err == nil {
		var doc struct {
			Links []xrdLink `xml:"Link"`
		}
		if xml.Unmarshal(body, &doc) == nil {
			for _, l := range doc.Links {
				if l.Rel == RelLRDD && strings.Contains(l.Template, "{uri}") {
					return l.Template, nil
				}
			}
		}
	}
	body, err := c.get(ctx, base+hostMetaJSONPath, "application/json")
	if err != nil {
		return "", err
	}
	var doc JRD
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("webfinger: decode host-meta.json: %w", err)
	}
	for _, l := range doc.Links {
		if l.Rel == RelLRDD && strings.Contains(l.Template, "{uri}") {
			return l.Template, nil
		}
	}
	return "", nil
}
