package ap

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// unmarshalMap decodes an encoded document with encoding/json, which also
// proves the output is valid JSON.
func unmarshalMap(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(data, &m), "%s", data)
	return m
}

func TestEncodeNoteMastodonShape(t *testing.T) {
	published := time.Date(2026, 11, 25, 19, 7, 41, 0, time.FixedZone("CET", 3600))
	to, cc := Addressing(VisibilityPublic, "https://herd.example/users/carol/followers", []string{"https://other.example/users/bob"})
	note := &Object{
		ID:           "https://herd.example/users/carol/statuses/1",
		Type:         TypeNote,
		AttributedTo: Refs{IRIRef("https://herd.example/users/carol")},
		Content:      `<p>Hi <span class="h-card"><a href="https://other.example/@bob" class="u-url mention">@bob</a></span> ❤</p>`,
		ContentMap:   map[string]string{"en": "<p>Hi</p>"},
		Published:    published,
		URL:          Refs{IRIRef("https://herd.example/@carol/1")},
		To:           to,
		Cc:           cc,
		Tag: Refs{
			Embed(&Object{Type: TypeMention, Href: "https://other.example/users/bob", Name: "@bob@other.example"}),
			Embed(&Object{Type: TypeEmoji, ID: "https://herd.example/emojis/1", Name: ":herd:", Icon: Refs{Embed(&Object{Type: TypeImage, MediaType: "image/png", URL: Refs{IRIRef("https://herd.example/e.png")}})}}),
		},
		Attachment: Refs{Embed(&Object{Type: TypeDocument, MediaType: "image/jpeg", URL: Refs{IRIRef("https://herd.example/m/1.jpg")}, Blurhash: "LEHV6nWB2yk8", FocalPoint: []float64{0.5, -1}, Width: 640, Height: 480})},
		Quote:      "https://other.example/users/bob/statuses/9",
		Unknown:    map[string]json.RawMessage{"conversation": json.RawMessage(`"tag:herd.example,2026:1"`)},
	}
	data, err := Encode(note)
	require.NoError(t, err)
	m := unmarshalMap(t, data)

	ctx, ok := m["@context"].([]any)
	require.True(t, ok, "@context must be an array")
	require.Len(t, ctx, 3)
	assert.Equal(t, "https://www.w3.org/ns/activitystreams", ctx[0])
	assert.Equal(t, "https://w3id.org/security/v1", ctx[1])
	terms := ctx[2].(map[string]any)
	for _, k := range []string{"sensitive", "toot", "Emoji", "blurhash", "focalPoint", "quote"} {
		assert.Contains(t, terms, k)
	}
	for _, k := range []string{"Hashtag", "PropertyValue", "schema", "discoverable", "movedTo", "votersCount"} {
		assert.NotContains(t, terms, k, "only terms in use are defined")
	}
	assert.Equal(t, map[string]any{"@container": "@list", "@id": "toot:focalPoint"}, terms["focalPoint"])

	assert.Equal(t, "Note", m["type"])
	assert.Equal(t, "https://herd.example/users/carol", m["attributedTo"], "one author is written as a string")
	assert.Equal(t, "2026-11-25T18:07:41Z", m["published"], "UTC, RFC 3339")
	assert.Equal(t, []any{Public}, m["to"])
	assert.Equal(t, []any{"https://herd.example/users/carol/followers", "https://other.example/users/bob"}, m["cc"])
	assert.Equal(t, false, m["sensitive"], "sensitive is written on posts")
	assert.Equal(t, "tag:herd.example,2026:1", m["conversation"])
	att := m["attachment"].([]any)
	require.Len(t, att, 1, "attachment is always an array")
	assert.Equal(t, []any{0.5, -1.0}, att[0].(map[string]any)["focalPoint"])
	assert.Equal(t, 640.0, att[0].(map[string]any)["width"])
	assert.NotContains(t, att[0].(map[string]any), "to", "attachments do not get post defaults")
	assert.NotContains(t, att[0].(map[string]any), "sensitive")
	assert.True(t, strings.HasPrefix(string(data), `{"@context":[`), "@context comes first")
	assert.Contains(t, string(data), "❤", "non-ASCII is written as UTF-8")
	assert.Contains(t, string(data), `<p>Hi <span class=\"h-card\">`, "HTML is not escaped")

	back, err := Decode(data)
	require.NoError(t, err)
	note.Published = note.Published.UTC()
	assert.Equal(t, note.Content, back.Content)
	assert.True(t, back.Published.Equal(published))
	assert.Equal(t, note.Tag[1].Obj.Icon.Obj().URLString(), back.Tag[1].Obj.Icon.Obj().URLString())
}

func TestEncodeActor(t *testing.T) {
	p := &Object{
		ID:                "https://herd.example/users/carol",
		Type:              TypePerson,
		PreferredUsername: "carol",
		Inbox:             "https://herd.example/users/carol/inbox",
		Outbox:            "https://herd.example/users/carol/outbox",
		Followers:         "https://herd.example/users/carol/followers",
		Following:         "https://herd.example/users/carol/following",
		Featured:          "https://herd.example/users/carol/collections/featured",
		Endpoints:         &Endpoints{SharedInbox: "https://herd.example/inbox"},
		PublicKey:         &PublicKey{ID: "https://herd.example/users/carol#main-key", Owner: "https://herd.example/users/carol", PublicKeyPem: "-----BEGIN PUBLIC KEY-----\nMII\n-----END PUBLIC KEY-----\n"},
		Discoverable:      true,
		AlsoKnownAs:       []string{"https://old.example/users/carol"},
		Attachment:        Refs{Embed(&Object{Type: TypePropertyValue, Name: "Site", Value: "<a href=\"https://c.example\">c.example</a>"})},
		Icon:              Refs{Embed(&Object{Type: TypeImage, MediaType: "image/png", URL: Refs{IRIRef("https://herd.example/a.png")}})},
	}
	data, err := Encode(p)
	require.NoError(t, err)
	m := unmarshalMap(t, data)
	terms := m["@context"].([]any)[2].(map[string]any)
	for _, k := range []string{"manuallyApprovesFollowers", "toot", "featured", "discoverable", "indexable", "memorial", "alsoKnownAs", "schema", "PropertyValue", "value"} {
		assert.Contains(t, terms, k)
	}
	assert.Equal(t, false, m["manuallyApprovesFollowers"], "actor flags are always written")
	assert.Equal(t, true, m["discoverable"])
	assert.Equal(t, false, m["indexable"])
	assert.NotContains(t, m, "suspended")
	assert.Equal(t, map[string]any{"sharedInbox": "https://herd.example/inbox"}, m["endpoints"])
	assert.Equal(t, "https://herd.example/users/carol#main-key", m["publicKey"].(map[string]any)["id"])
	assert.Equal(t, []any{"https://old.example/users/carol"}, m["alsoKnownAs"])
	assert.IsType(t, map[string]any{}, m["icon"], "a single icon is written as an object")
	assert.NotContains(t, m, "to", "actors are not addressed")
}

func TestEncodeQuestionAndCollections(t *testing.T) {
	q := &Object{
		ID:          "https://herd.example/users/carol/statuses/2",
		Type:        TypeQuestion,
		Content:     "<p>Pick one</p>",
		OneOf:       Refs{PollChoice("yes", 3), PollChoice("no", 0)},
		EndTime:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		VotersCount: new(3),
	}
	data, err := Encode(q)
	require.NoError(t, err)
	m := unmarshalMap(t, data)
	assert.Equal(t, 3.0, m["votersCount"])
	assert.Contains(t, m["@context"].([]any)[2], "votersCount")
	oneOf := m["oneOf"].([]any)
	assert.Equal(t, map[string]any{"type": "Collection", "totalItems": 0.0}, oneOf[1].(map[string]any)["replies"], "zero votes are written")
	back, err := Decode(data)
	require.NoError(t, err)
	opts, multiple := back.PollOptions()
	assert.False(t, multiple)
	assert.Equal(t, []PollOption{{"yes", 3}, {"no", 0}}, opts)

	c := &Object{ID: "https://herd.example/users/carol/followers", Type: TypeOrderedCollection, TotalItems: new(0), First: IRIRef("https://herd.example/users/carol/followers?page=1")}
	data, err = Encode(c)
	require.NoError(t, err)
	m = unmarshalMap(t, data)
	assert.Equal(t, 0.0, m["totalItems"])
	assert.Equal(t, "https://herd.example/users/carol/followers?page=1", m["first"])
	assert.Len(t, m["@context"].([]any), 2, "no context object when no extension term is used")

	closed := &Object{Type: TypeQuestion, ClosedFlag: true}
	data, err = Encode(closed)
	require.NoError(t, err)
	assert.Equal(t, true, unmarshalMap(t, data)["closed"])
}

func TestEncodeActivityForms(t *testing.T) {
	flag := &Object{ID: "https://herd.example/flags/1", Type: TypeFlag, Actor: IRIRef("https://herd.example/actor"),
		Object: Refs{IRIRef("https://spam.example/u"), IRIRef("https://spam.example/u/s/1")}}
	data, err := Encode(flag)
	require.NoError(t, err)
	assert.Equal(t, []any{"https://spam.example/u", "https://spam.example/u/s/1"}, unmarshalMap(t, data)["object"])

	undo := &Object{ID: "https://herd.example/undo/1", Type: TypeUndo, Actor: IRIRef("https://herd.example/users/carol"),
		Object: Refs{Embed(&Object{ID: "https://herd.example/follows/1", Type: TypeFollow, Actor: IRIRef("https://herd.example/users/carol"), Object: Refs{IRIRef("https://mastodon.example/users/alice")}})}}
	data, err = Encode(undo)
	require.NoError(t, err)
	m := unmarshalMap(t, data)
	inner := m["object"].(map[string]any)
	assert.Equal(t, "Follow", inner["type"])
	assert.NotContains(t, inner, "@context", "embedded objects carry no context of their own")
	assert.Len(t, m["@context"].([]any), 2)
}

func TestEncodeUnknownAndContext(t *testing.T) {
	o := &Object{
		LDContext: json.RawMessage(`"https://ignored.example/ctx"`),
		Type:      TypeNote,
		Content:   "typed",
		Unknown: map[string]json.RawMessage{
			"content":  json.RawMessage(`"raw duplicate"`),
			"zeta":     json.RawMessage(`1`),
			"alpha":    json.RawMessage(` { "a" : [ 1 , 2 ] } `),
			"@context": json.RawMessage(`"also ignored"`),
		},
		Object: Refs{Embed(&Object{LDContext: json.RawMessage(`"https://www.w3.org/ns/activitystreams"`), Type: TypeNote})},
	}
	data, err := Encode(o)
	require.NoError(t, err)
	s := string(data)
	assert.NotContains(t, s, "ignored")
	assert.NotContains(t, s, "raw duplicate", "typed fields win over Unknown entries of the same name")
	assert.Less(t, strings.Index(s, `"alpha"`), strings.Index(s, `"zeta"`), "unknown keys in order")
	assert.Contains(t, s, `"object":{"@context":"https://www.w3.org/ns/activitystreams","type":"Note"`)
	unmarshalMap(t, data)

	// An Unknown entry is written when the typed field is empty.
	o = &Object{Type: TypeNote, Unknown: map[string]json.RawMessage{"content": json.RawMessage(`"raw"`)}}
	data, err = Encode(o)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"content":"raw"`)
}

func TestEncodeStrings(t *testing.T) {
	o := &Object{Content: "quote\" backslash\\ nl\n tab\t ctl\x01 bad\xff utf8é 😀 <&>"}
	data, err := Encode(o)
	require.NoError(t, err)
	assert.Contains(t, string(data), `"content":"quote\" backslash\\ nl\n tab\t ctl\u0001 bad`+"\ufffd utf8é 😀 <&>\"")
	back, err := Decode(data)
	require.NoError(t, err)
	assert.Equal(t, strings.ToValidUTF8(o.Content, "\ufffd"), back.Content)
}

func TestEncodeErrors(t *testing.T) {
	cyc := &Object{Type: TypeNote}
	cyc.InReplyTo = Embed(cyc)
	tests := []struct {
		name string
		o    *Object
	}{
		{"nil", nil},
		{"cycle", cyc},
		{"NaN focal point", &Object{FocalPoint: []float64{math.NaN(), 0}}},
		{"infinite focal point", &Object{FocalPoint: []float64{math.Inf(1), 0}}},
		{"year out of range", &Object{Published: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"invalid raw", &Object{Unknown: map[string]json.RawMessage{"x": json.RawMessage(`{bad`)}}},
		{"raw with trailing data", &Object{Unknown: map[string]json.RawMessage{"x": json.RawMessage(`1 2`)}}},
		{"empty raw", &Object{Unknown: map[string]json.RawMessage{"x": nil}}},
		{"invalid nested context", &Object{Object: Refs{Embed(&Object{LDContext: json.RawMessage(`[`)})}}},
		{"invalid endpoint raw", &Object{Endpoints: &Endpoints{Unknown: map[string]json.RawMessage{"x": json.RawMessage(`nope`)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Encode(tt.o)
			assert.ErrorIs(t, err, ErrEncode)
		})
	}
}

func TestMarshalJSON(t *testing.T) {
	o := &Object{ID: "https://herd.example/1", Type: TypeNote}
	data, err := json.Marshal(o)
	require.NoError(t, err)
	enc, err := Encode(o)
	require.NoError(t, err)
	assert.JSONEq(t, string(enc), string(data))
}

func TestGoAPConversion(t *testing.T) {
	o := decodeFixture(t, "mastodon_create_note.json")
	it, err := o.ToGoAP()
	require.NoError(t, err)
	assert.Equal(t, TypeCreate, string(it.GetType()))
	assert.Equal(t, o.ID, it.GetLink().String())

	back, err := FromGoAP(it)
	require.NoError(t, err)
	assert.Equal(t, o.ID, back.ID)
	assert.Equal(t, o.Actor.ID(), back.Actor.ID())
	n, bn := o.Object.Obj(), back.Object.Obj()
	require.NotNil(t, bn)
	assert.Equal(t, n.Content, bn.Content)
	assert.Equal(t, n.To, bn.To)
	assert.Equal(t, n.InReplyTo.ID(), bn.InReplyTo.ID())

	iri, err := FromGoAP(it.GetLink())
	require.NoError(t, err)
	assert.Equal(t, &Object{ID: o.ID}, iri)
	_, err = FromGoAP(nil)
	assert.Error(t, err)
}

// Mastodon writes to, cc and sensitive on posts and the actor flags on
// actors only when they are the document or an activity's object: never on
// an actor's icon and image, a post's attachments, or deeper objects.
func TestEncodeDefaultsOnlyAtTopLevel(t *testing.T) {
	image := func(u string) Refs {
		return Refs{Embed(&Object{Type: TypeImage, MediaType: "image/png", URL: Refs{IRIRef(u)}})}
	}
	person := func() *Object {
		return &Object{ID: "https://herd.example/users/carol", Type: TypePerson, PreferredUsername: "carol",
			Inbox: "https://herd.example/users/carol/inbox", Icon: image("https://herd.example/a.png"), Image: image("https://herd.example/h.png")}
	}
	noDefaults := func(t *testing.T, m map[string]any, what string) {
		t.Helper()
		for _, k := range []string{"to", "cc", "sensitive", "manuallyApprovesFollowers", "discoverable"} {
			assert.NotContains(t, m, k, "%s: %s", what, k)
		}
	}

	t.Run("actor document", func(t *testing.T) {
		data, err := Encode(person())
		require.NoError(t, err)
		m := unmarshalMap(t, data)
		noDefaults(t, m["icon"].(map[string]any), "icon")
		noDefaults(t, m["image"].(map[string]any), "image")
		assert.NotContains(t, m["@context"].([]any)[2].(map[string]any), "sensitive", "no term for a property not written")
	})
	t.Run("Update of an actor", func(t *testing.T) {
		up := &Object{ID: "https://herd.example/users/carol#updates/1", Type: TypeUpdate, Actor: IRIRef("https://herd.example/users/carol"),
			Object: Refs{Embed(person())}, To: []string{Public}}
		data, err := Encode(up)
		require.NoError(t, err)
		obj := unmarshalMap(t, data)["object"].(map[string]any)
		assert.Equal(t, false, obj["manuallyApprovesFollowers"], "the activity's object keeps the actor flags")
		noDefaults(t, obj["icon"].(map[string]any), "icon")
		noDefaults(t, obj["image"].(map[string]any), "image")
	})
	t.Run("Create of a note with an image attachment", func(t *testing.T) {
		note := &Object{ID: "https://herd.example/users/carol/statuses/1", Type: TypeNote, Content: "<p>hi</p>",
			Attachment: image("https://herd.example/m.png")}
		for _, create := range []*Object{
			{ID: "https://herd.example/users/carol/statuses/1/activity", Type: TypeCreate, Actor: IRIRef("https://herd.example/users/carol"), Object: Refs{Embed(note)}},
			{ID: "https://herd.example/users/carol/statuses/1/activity", Type: TypeCreate, Actor: IRIRef("https://herd.example/users/carol"), Object: Refs{Embed(note), IRIRef("https://herd.example/x")}},
		} {
			data, err := Encode(create)
			require.NoError(t, err)
			obj := unmarshalMap(t, data)["object"]
			if list, ok := obj.([]any); ok {
				obj = list[0]
			}
			n := obj.(map[string]any)
			assert.Equal(t, []any{}, n["to"], "the activity's object is a post: to, cc and sensitive written")
			assert.Equal(t, []any{}, n["cc"])
			assert.Equal(t, false, n["sensitive"])
			noDefaults(t, n["attachment"].([]any)[0].(map[string]any), "attachment")
		}
	})
	t.Run("top-level image", func(t *testing.T) {
		data, err := Encode(&Object{ID: "https://herd.example/media/1", Type: TypeImage, URL: Refs{IRIRef("https://herd.example/m.png")}})
		require.NoError(t, err)
		m := unmarshalMap(t, data)
		assert.Equal(t, false, m["sensitive"], "a post-type document keeps the defaults")
	})
}
