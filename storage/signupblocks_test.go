package storage_test

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/herd-social/herd/storage"
)

func TestCanonicalIPPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7/32",
		"192.0.2.7/24":         "192.0.2.0/24",
		"::ffff:192.0.2.7":     "192.0.2.7/32",
		"::ffff:192.0.2.7/120": "192.0.2.0/24",
		"2001:DB8::1":          "2001:db8::1/128",
		"2001:db8::1/32":       "2001:db8::/32",
		"fe80::1%eth0":         "fe80::1/128",
		"0.0.0.0/0":            "0.0.0.0/0",
	} {
		got, ok := storage.CanonicalIPPrefix(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "x", "192.0.2.1/33", "::ffff:192.0.2.7/64", "192.0.2.1/", "1.2.3"} {
		_, ok := storage.CanonicalIPPrefix(bad)
		assert.False(t, ok, bad)
	}
}

func FuzzCanonicalIPPrefix(f *testing.F) {
	for _, s := range []string{"192.0.2.7/24", "::ffff:1.2.3.4/100", "2001:db8::/32", "fe80::1%x", "bad"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := storage.CanonicalIPPrefix(s)
		if !ok {
			return
		}
		p, err := netip.ParsePrefix(got)
		if err != nil {
			t.Fatalf("%q → %q does not parse: %v", s, got, err)
		}
		again, ok := storage.CanonicalIPPrefix(got)
		if !ok || again != got || p.Masked() != p {
			t.Fatalf("%q → %q is not canonical (%q)", s, got, again)
		}
	})
}
