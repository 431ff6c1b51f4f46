package ap

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddressing(t *testing.T) {
	const followers = "https://herd.example/users/carol/followers"
	bob, dan := "https://other.example/users/bob", "https://third.example/users/dan"
	tests := []struct {
		v      Visibility
		to, cc []string
	}{
		{VisibilityPublic, []string{Public}, []string{followers, bob, dan}},
		{VisibilityUnlisted, []string{followers}, []string{Public, bob, dan}},
		{VisibilityPrivate, []string{followers}, []string{bob, dan}},
		{VisibilityDirect, []string{bob, dan}, []string{}},
		{Visibility("bogus"), []string{bob, dan}, []string{}},
	}
	for _, tt := range tests {
		t.Run(string(tt.v), func(t *testing.T) {
			to, cc := Addressing(tt.v, followers, []string{bob, "", dan, bob, Public})
			assert.Equal(t, tt.to, to)
			assert.Equal(t, tt.cc, cc)
			if tt.v.Valid() {
				assert.Equal(t, tt.v, VisibilityOf(to, cc, followers), "VisibilityOf inverts Addressing")
			}
		})
	}
	to, cc := Addressing(VisibilityPrivate, followers, nil)
	assert.NotNil(t, to)
	assert.NotNil(t, cc)
	to, cc = Addressing(VisibilityPublic, "", nil)
	assert.Equal(t, []string{Public}, to)
	assert.Equal(t, []string{}, cc)
}

func TestVisibilityOf(t *testing.T) {
	const f = "https://a.example/u/followers"
	tests := []struct {
		name   string
		to, cc []string
		want   Visibility
	}{
		{"public full IRI", []string{Public}, nil, VisibilityPublic},
		{"public compact", []string{"as:Public"}, nil, VisibilityPublic},
		{"public bare", []string{"Public"}, []string{f}, VisibilityPublic},
		{"public wins over cc", []string{Public}, []string{Public}, VisibilityPublic},
		{"unlisted", []string{f}, []string{Public}, VisibilityUnlisted},
		{"unlisted compact", nil, []string{"as:Public"}, VisibilityUnlisted},
		{"private to", []string{f}, []string{"https://b.example/u"}, VisibilityPrivate},
		{"private cc", []string{"https://b.example/u"}, []string{f}, VisibilityPrivate},
		{"direct", []string{"https://b.example/u"}, nil, VisibilityDirect},
		{"nothing", nil, nil, VisibilityDirect},
		{"unknown followers", []string{f}, nil, VisibilityDirect},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fol := f
			if tt.name == "unknown followers" {
				fol = ""
			}
			assert.Equal(t, tt.want, VisibilityOf(tt.to, tt.cc, fol))
		})
	}
	assert.True(t, IsPublic("as:Public"))
	assert.False(t, IsPublic("https://www.w3.org/ns/activitystreams#public"))
	assert.False(t, Visibility("limited").Valid())
	var nilObj *Object
	assert.Equal(t, VisibilityDirect, nilObj.Visibility(f))
}

func TestOrigin(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://Mastodon.Example/users/alice", "https://mastodon.example"},
		{"HTTPS://mastodon.example:443/x", "https://mastodon.example"},
		{"http://mastodon.example:80/x", "http://mastodon.example"},
		{"https://mastodon.example:8443/x", "https://mastodon.example:8443"},
		{"http://mastodon.example:443/x", "http://mastodon.example:443"},
		{"https://mastodon.example./x", "https://mastodon.example"},
		{"https://user:pw@mastodon.example/x", "https://mastodon.example"},
		{"https://[2001:db8::1]:8443/x", "https://[2001:db8::1]:8443"},
		{"https://[2001:DB8::1]/x", "https://[2001:db8::1]"},
		{"ftp://mastodon.example/x", ""},
		{"mastodon.example/x", ""},
		{"/users/alice", ""},
		{"urn:uuid:1234", ""},
		{"https://", ""},
		{"https:///path", ""},
		{"", ""},
		{"https://bad host/", ""},
		{"https://a.example:99999999999/", ""},
		{"https://a.example:0443/", "https://a.example"},
		{"https://a.example:/", "https://a.example"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Origin(tt.in), tt.in)
	}
	assert.True(t, SameOrigin("https://a.example/users/x", "https://A.example:443/objects/1"))
	assert.False(t, SameOrigin("https://a.example/x", "http://a.example/x"))
	assert.False(t, SameOrigin("https://a.example/x", "https://a.example:8443/x"))
	assert.False(t, SameOrigin("https://a.example/x", "https://sub.a.example/x"))
	assert.False(t, SameOrigin("https://a.example.evil.example/x", "https://a.example/x"))
	assert.False(t, SameOrigin("", ""))
	assert.False(t, SameOrigin("urn:x", "urn:x"))
}

func TestValidate(t *testing.T) {
	ok := func() *Object {
		return &Object{ID: "https://a.example/act/1", Type: TypeLike, Actor: IRIRef("https://a.example/u"), Object: Refs{IRIRef("https://b.example/n/1")}}
	}
	require.NoError(t, ok().ValidateActivity())
	require.NoError(t, ok().Validate())

	tests := []struct {
		name   string
		mutate func(*Object)
		want   error
	}{
		{"no id", func(o *Object) { o.ID = "" }, ErrMissingField},
		{"relative id", func(o *Object) { o.ID = "/act/1" }, ErrInvalidIRI},
		{"no type", func(o *Object) { o.Type = "" }, ErrMissingField},
		{"no actor", func(o *Object) { o.Actor = Ref{} }, ErrMissingField},
		{"relative actor", func(o *Object) { o.Actor = IRIRef("alice") }, ErrInvalidIRI},
		{"embedded actor without id", func(o *Object) { o.Actor = Embed(&Object{Type: TypePerson}) }, ErrMissingField},
		{"no object", func(o *Object) { o.Object = nil }, ErrMissingField},
		{"empty object IRI", func(o *Object) { o.Object = Refs{IRIRef("")} }, ErrMissingField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok()
			tt.mutate(o)
			assert.ErrorIs(t, o.ValidateActivity(), tt.want)
			assert.ErrorIs(t, o.Validate(), tt.want)
		})
	}
	var nilObj *Object
	assert.ErrorIs(t, nilObj.ValidateActivity(), ErrMissingField)
	assert.ErrorIs(t, nilObj.Validate(), ErrMissingField)
	// Objects need id and type but no actor; an embedded anonymous object
	// satisfies an activity's object requirement.
	require.NoError(t, (&Object{ID: "https://a.example/n/1", Type: TypeNote}).Validate())
	require.NoError(t, (&Object{ID: "https://a.example/c/1", Type: TypeCreate, Actor: IRIRef("https://a.example/u"), Object: Refs{Embed(&Object{Type: TypeNote})}}).ValidateActivity())
	// Intransitive and unknown activity types need no object.
	require.NoError(t, (&Object{ID: "https://a.example/x/1", Type: "Arrive", Actor: IRIRef("https://a.example/u")}).ValidateActivity())
}
