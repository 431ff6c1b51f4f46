package main

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClientIP(t *testing.T) {
	tp, err := parseTrustedProxies("127.0.0.1, ::1, 10.0.0.0/8")
	require.NoError(t, err)
	for _, c := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"direct client", "203.0.113.7:5000", nil, "203.0.113.7"},
		{"untrusted peer's header is ignored", "203.0.113.7:5000", []string{"198.51.100.1"}, "203.0.113.7"},
		{"proxy on loopback", "127.0.0.1:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"proxy on ::1", "[::1]:4000", []string{"198.51.100.1"}, "198.51.100.1"},
		{"spoofed left part", "127.0.0.1:4000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"chain of trusted proxies", "127.0.0.1:4000", []string{"198.51.100.1, 10.1.2.3", "10.0.0.9"}, "198.51.100.1"},
		{"only trusted hops", "127.0.0.1:4000", []string{"10.0.0.9"}, "10.0.0.9"},
		{"garbage stops the walk", "127.0.0.1:4000", []string{"198.51.100.1, not-an-ip"}, "127.0.0.1"},
		{"no header", "127.0.0.1:4000", nil, "127.0.0.1"},
		{"mapped IPv4", "[::ffff:127.0.0.1]:4000", []string{"::ffff:198.51.100.1"}, "198.51.100.1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = c.remote
			for _, v := range c.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			assert.Equal(t, c.want, tp.clientIP(r))
		})
	}
	none, err := parseTrustedProxies("")
	require.NoError(t, err)
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "127.0.0.1:1"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	assert.Equal(t, "127.0.0.1", none.clientIP(r), "no trusted proxies: the header is never read")
	_, err = parseTrustedProxies("10.0.0.0/33")
	assert.Error(t, err)
	_, err = parseTrustedProxies("proxy.example")
	assert.Error(t, err)
}

func FuzzClientIP(f *testing.F) {
	tp, _ := parseTrustedProxies("127.0.0.1,10.0.0.0/8")
	f.Add("127.0.0.1:1", "1.2.3.4, 10.0.0.1")
	f.Add("garbage", ",,,")
	f.Fuzz(func(t *testing.T, remote, xff string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		r.Header.Set("X-Forwarded-For", xff)
		_ = tp.clientIP(r)
		_, _ = parseTrustedProxies(xff)
	})
}
