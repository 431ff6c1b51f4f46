package transport

import (
	"net/netip"
)

// forbiddenPrefixes lists the special-purpose ranges (IANA IPv4 and IPv6
// Special-Purpose Address Registries, plus multicast and reserved space) that
// an outbound fetch must not reach unless explicitly allowed.
var forbiddenPrefixes = mustPrefixes(
	// IPv4
	"0.0.0.0/8",       // "this network"
	"10.0.0.0/8",      // RFC 1918 private
	"100.64.0.0/10",   // RFC 6598 shared address space (CGNAT)
	"127.0.0.0/8",     // loopback
	"169.254.0.0/16",  // link-local (cloud metadata services live here)
	"172.16.0.0/12",   // RFC 1918 private
	"192.0.0.0/24",    // IETF protocol assignments
	"192.0.2.0/24",    // TEST-NET-1
	"192.88.99.0/24",  // deprecated 6to4 relay anycast
	"192.168.0.0/16",  // RFC 1918 private
	"198.18.0.0/15",   // benchmarking
	"198.51.100.0/24", // TEST-NET-2
	"203.0.113.0/24",  // TEST-NET-3
	"224.0.0.0/4",     // multicast
	"240.0.0.0/4",     // reserved, including 255.255.255.255
	// IPv6
	"::/96",          // unspecified, loopback and deprecated IPv4-compatible addresses
	"::ffff:0:0/96",  // IPv4-mapped (checked again after unmapping)
	"64:ff9b:1::/48", // local-use IPv4/IPv6 translation
	"100::/64",       // discard-only
	"2001::/23",      // IETF protocol assignments (Teredo, ORCHIDv2, ...)
	"2001:db8::/32",  // documentation
	"3fff::/20",      // documentation (RFC 9637)
	"5f00::/16",      // SRv6 SIDs
	"fc00::/7",       // unique local addresses
	"fe80::/10",      // link-local
	"fec0::/10",      // deprecated site-local
	"ff00::/8",       // multicast
)

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	out := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		out[i] = netip.MustParsePrefix(s)
	}
	return out
}

// IsPublicAddr reports whether a is a globally routable unicast address that
// an outbound fetch may connect to. It returns false for loopback, private,
// link-local, CGNAT, multicast, unspecified, documentation and other
// special-purpose addresses, for IPv4-mapped IPv6 forms of those, and for
// NAT64 and 6to4 addresses that embed a non-public IPv4 address.
func IsPublicAddr(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("")
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is6() {
		if nat64Prefix.Contains(a) {
			b := a.As16()
			return IsPublicAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		}
		if sixToFour.Contains(a) {
			b := a.As16()
			return IsPublicAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsUnspecified() || a.IsMulticast() ||
		a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range forbiddenPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// addrAllowed applies the allow-list, then IsPublicAddr.
func addrAllowed(a netip.Addr, allow []netip.Prefix) bool {
	if !a.IsValid() {
		return false
	}
	a = a.WithZone("")
	un := a.Unmap()
	for _, p := range allow {
		if p.Contains(a) || p.Contains(un) {
			return true
		}
	}
	return IsPublicAddr(a)
}
