package ap

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIsActivityPubMediaType(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"application/activity+json", true},
		{"Application/Activity+JSON", true},
		{"application/activity+json; charset=utf-8", true},
		{" application/activity+json ;charset=utf-8", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json;profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile=https://www.w3.org/ns/activitystreams`, true},
		{`application/ld+json; charset=utf-8; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"; charset=utf-8`, true},
		{`application/ld+json; PROFILE="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams http://www.w3.org/ns/json-ld#compacted"`, true},
		{`application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams#"`, true},
		{`application/ld+json; profile="https:\/\/www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json; foo; profile="https://www.w3.org/ns/activitystreams"`, true},
		{`application/ld+json`, false},
		{`application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"`, false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams.evil"`, false},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams`, true},
		{`application/ld+json; notprofile="https://www.w3.org/ns/activitystreams"`, false},
		{"application/json", false},
		{"text/html", false},
		{"*/*", false},
		{"", false},
		{"application/activity+jsonx", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, IsActivityPubMediaType(tt.in), tt.in)
	}
}

func TestAcceptsActivityPub(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{AcceptHeader, true},
		{"application/activity+json", true},
		{`text/html, application/ld+json; profile="https://www.w3.org/ns/activitystreams"; q=0.9`, true},
		{`application/ld+json; profile="x,y https://www.w3.org/ns/activitystreams", text/html`, true},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"application/activity+json;q=0", false},
		{"application/activity+json; q=0.0, text/html", false},
		{"application/activity+json; q=0.1", true},
		{"", false},
		{"*/*", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, AcceptsActivityPub(tt.in), tt.in)
	}
}
