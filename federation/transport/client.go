package transport

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Defaults applied by New for zero Options fields.
const (
	DefaultUserAgent    = "herd/0.1.0"
	DefaultTimeout      = 10 * time.Second
	DefaultDialTimeout  = 5 * time.Second
	DefaultMaxRedirects = 3
	DefaultMaxBodyBytes = 1 << 20 // 1 MiB, the limit Mastodon applies to JSON-LD
)

// Options configures a Client. The zero value (or nil) is a safe default:
// https only, public addresses only, 10 s timeout, 3 redirects, 1 MiB bodies.
type Options struct {
	// UserAgent is sent on every request, e.g.
	// "herd/0.1.0 (+https://example.com/)". Defaults to DefaultUserAgent.
	UserAgent string
	// AllowPrivate lists address ranges the SSRF guard lets through even
	// though they are not public (for example 127.0.0.0/8 in tests, or a
	// peer on the local network).
	AllowPrivate []netip.Prefix
	// AllowHTTP permits plain-http URLs and redirects. Default: https only.
	AllowHTTP bool
	// Timeout bounds a whole request, including reading the body.
	// Defaults to DefaultTimeout.
	Timeout time.Duration
	// DialTimeout bounds establishing one TCP connection. Defaults to
	// DefaultDialTimeout.
	DialTimeout time.Duration
	// MaxRedirects is the number of redirects followed. Zero means
	// DefaultMaxRedirects; a negative value disables redirects.
	MaxRedirects int
	// MaxBodyBytes caps the bytes read from a response body. Defaults to
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Resolver resolves host names; nil uses net.DefaultResolver. Addresses
	// are checked after resolution whichever resolver is used.
	Resolver *net.Resolver
	// TLSConfig is the TLS client configuration (for example a private root
	// CA in tests). Nil uses the system roots.
	TLSConfig *tls.Config
}

// Client is the outbound HTTP client. It is safe for concurrent use.
type Client struct {
	userAgent    string
	allowPrivate []netip.Prefix
	allowHTTP    bool
	timeout      time.Duration
	maxRedirects int
	maxBody      int64

	transport  *http.Transport
	client     *http.Client // follows redirects, with checks
	noRedirect *http.Client // returns redirects to the caller
}

// New returns a Client configured by opts (nil means defaults).
func New(opts *Options) *Client {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{
		userAgent:    o.UserAgent,
		allowPrivate: append([]netip.Prefix(nil), o.AllowPrivate...),
		allowHTTP:    o.AllowHTTP,
		timeout:      o.Timeout,
		maxRedirects: o.MaxRedirects,
		maxBody:      o.MaxBodyBytes,
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxRedirects == 0 {
		c.maxRedirects = DefaultMaxRedirects
	} else if c.maxRedirects < 0 {
		c.maxRedirects = 0
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	dialTimeout := o.DialTimeout
	if dialTimeout <= 0 {
		dialTimeout = DefaultDialTimeout
	}
	dialer := &net.Dialer{
		Timeout:   dialTimeout,
		KeepAlive: 30 * time.Second,
		Resolver:  o.Resolver,
		Control:   c.control,
	}
	var tlsConfig *tls.Config
	if o.TLSConfig != nil {
		tlsConfig = o.TLSConfig.Clone()
	}
	c.transport = &http.Transport{
		// No proxy: the SSRF guard checks the address actually dialled, and
		// a proxy would hide the real destination from it.
		Proxy:                  nil,
		DialContext:            dialer.DialContext,
		TLSClientConfig:        tlsConfig,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           2000,
		MaxIdleConnsPerHost:    16,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    dialTimeout,
		ResponseHeaderTimeout:  c.timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	rt := &roundTripper{c: c}
	c.client = &http.Client{Transport: rt, Timeout: c.timeout, CheckRedirect: c.checkRedirect}
	c.noRedirect = &http.Client{
		Transport: rt,
		Timeout:   c.timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	return c
}

// HTTPClient returns the configured *http.Client for libraries that need a
// plain client. It shares the Client's connection pool and protections:
// the scheme rules on every request, connect-time address checks, redirect
// checks, the User-Agent and the body limit.
func (c *Client) HTTPClient() *http.Client { return c.client }

// CloseIdleConnections closes idle pooled connections.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Do sends req with ctx, following redirects (each re-checked). The
// response body yields an error wrapping ErrBodyTooLarge when read past
// Options.MaxBodyBytes. The caller must close the body.
func (c *Client) Do(ctx context.Context, req *http.Request) (*http.Response, error) {
	if err := c.checkURL(req.URL); err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req.WithContext(ctx))
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// control runs on every socket just before connect, with the resolved
// address: the place where DNS rebinding cannot slip through.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot parse %s address %q", ErrForbiddenAddress, network, address)
	}
	if !addrAllowed(ap.Addr(), c.allowPrivate) {
		return fmt.Errorf("%w: %s", ErrForbiddenAddress, ap.Addr())
	}
	return nil
}

// checkURL enforces the scheme rules on a request or redirect URL.
func (c *Client) checkURL(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: missing URL", ErrSchemeNotAllowed)
	}
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !c.allowHTTP {
			return fmt.Errorf("%w: %s (plain http is disabled)", ErrSchemeNotAllowed, u.Redacted())
		}
	default:
		return fmt.Errorf("%w: %q", ErrSchemeNotAllowed, u.Scheme)
	}
	if u.Host == "" {
		return fmt.Errorf("transport: URL %q has no host", u.Redacted())
	}
	if u.User != nil {
		return fmt.Errorf("%w: URL with credentials", ErrSchemeNotAllowed)
	}
	return nil
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.maxRedirects {
		return fmt.Errorf("%w (limit %d)", ErrTooManyRedirects, c.maxRedirects)
	}
	return c.checkURL(req.URL)
}

// roundTripper adds the User-Agent and the body limit to every response.
type roundTripper struct{ c *Client }

func (rt *roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	// The scheme rules hold for every request, including those sent
	// through HTTPClient by libraries that never call Do.
	if err := rt.c.checkURL(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", rt.c.userAgent)
	}
	resp, err := rt.c.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if resp.Body != nil && resp.Body != http.NoBody {
		resp.Body = &limitedBody{rc: resp.Body, remaining: rt.c.maxBody, limit: rt.c.maxBody}
	}
	return resp, nil
}

// limitedBody fails with ErrBodyTooLarge once more than limit bytes are read.
type limitedBody struct {
	rc        io.ReadCloser
	remaining int64
	limit     int64
	exceeded  bool
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.exceeded {
		return 0, b.tooLarge()
	}
	if int64(len(p)) > b.remaining+1 {
		p = p[:b.remaining+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.remaining {
		n = int(b.remaining)
		b.remaining = 0
		b.exceeded = true
		return n, b.tooLarge()
	}
	b.remaining -= int64(n)
	return n, err
}

func (b *limitedBody) tooLarge() error {
	return fmt.Errorf("%w (limit %d bytes)", ErrBodyTooLarge, b.limit)
}

func (b *limitedBody) Close() error { return b.rc.Close() }

var (
	_ http.RoundTripper = (*roundTripper)(nil)
	_ io.ReadCloser     = (*limitedBody)(nil)
)
