package main

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// trustedProxies are the addresses whose X-Forwarded-For herd believes:
// the reverse proxies in front of it.
type trustedProxies []netip.Prefix

// parseTrustedProxies reads a comma-separated list of addresses and CIDR
// ranges ("" trusts no proxy).
func parseTrustedProxies(s string) (trustedProxies, error) {
	var out trustedProxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q: %w", f, err)
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func (t trustedProxies) trusts(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range t {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// clientIP returns the address r comes from: its peer's, unless the peer
// is a trusted proxy; then the nearest address in X-Forwarded-For that is
// not a trusted proxy (read from the right, as each proxy appends the
// address it received the request from; what a client wrote on the left
// is never believed past an untrusted hop).
func (t trustedProxies) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(t) == 0 || !t.trusts(peer) {
		return host
	}
	client := peer
	hops := r.Header.Values("X-Forwarded-For")
	for i := len(hops) - 1; i >= 0; i-- {
		parts := strings.Split(hops[i], ",")
		for k := len(parts) - 1; k >= 0; k-- {
			a, err := netip.ParseAddr(strings.TrimSpace(parts[k]))
			if err != nil {
				return client.Unmap().String()
			}
			client = a
			if !t.trusts(a) {
				return a.Unmap().String()
			}
		}
	}
	return client.Unmap().String()
}
