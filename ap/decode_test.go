package ap

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return data
}

func decodeFixture(t *testing.T, name string) *Object {
	t.Helper()
	o, err := Decode(readFixture(t, name))
	require.NoError(t, err)
	return o
}

func TestDecodeFixtures(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, o *Object)
	}{
		{"mastodon_create_note.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeCreate, o.Type)
			assert.Equal(t, "https://mastodon.example/users/alice", o.Actor.ID())
			assert.Equal(t, []string{Public}, o.To)
			assert.Equal(t, time.Date(2024, 11, 12, 18, 4, 11, 0, time.UTC), o.Published)
			n := o.Object.Obj()
			require.NotNil(t, n)
			assert.Equal(t, TypeNote, n.Type)
			assert.Equal(t, "https://other.example/users/bob/statuses/113456700000000000", n.InReplyTo.IRI)
			assert.Equal(t, "https://mastodon.example/users/alice", n.AttributedTo.ID())
			assert.Contains(t, n.Content, "Agreed, the new release is great!")
			assert.Equal(t, n.Content, n.ContentMap["en"])
			assert.Empty(t, n.Summary)
			assert.False(t, n.Sensitive)
			assert.Equal(t, "https://mastodon.example/@alice/113456789012345678", n.URLString())
			assert.Equal(t, VisibilityPublic, n.Visibility("https://mastodon.example/users/alice/followers"))
			require.Len(t, n.Attachment, 1)
			a := n.Attachment[0].Obj
			assert.Equal(t, TypeDocument, a.Type)
			assert.Equal(t, "image/png", a.MediaType)
			assert.Equal(t, "UBL_:rOpGG-oBUNG,qRj2so|=eE1w^n4S5NH", a.Blurhash)
			assert.Equal(t, []float64{0, -0.25}, a.FocalPoint)
			assert.Equal(t, 1200, a.Width)
			assert.Equal(t, 800, a.Height)
			assert.Equal(t, "https://files.mastodon.example/media_attachments/files/113/456/789/original/abc123.png", a.URLString())
			require.Len(t, n.Tag, 2)
			assert.Equal(t, TypeMention, n.Tag[0].Obj.Type)
			assert.Equal(t, "https://other.example/users/bob", n.Tag[0].Obj.Href)
			assert.Equal(t, TypeHashtag, n.Tag[1].Obj.Type)
			assert.Equal(t, "#golang", n.Tag[1].Obj.Name)
			rep := n.Replies.Obj
			require.NotNil(t, rep)
			assert.Equal(t, TypeCollectionPage, rep.First.Obj.Type)
			assert.Equal(t, rep.ID, rep.First.Obj.PartOf.IRI)
			assert.Contains(t, n.Unknown, "atomUri")
			assert.JSONEq(t, `"tag:other.example,2024-11-12:objectId=1234567:objectType=Conversation"`, string(n.Unknown["conversation"]))
			assert.NotEmpty(t, o.LDContext)
			require.NoError(t, o.ValidateActivity())
		}},
		{"mastodon_person.json", func(t *testing.T, o *Object) {
			assert.True(t, o.IsActor())
			assert.Equal(t, "alice", o.PreferredUsername)
			assert.Equal(t, "https://mastodon.example/users/alice/inbox", o.Inbox)
			assert.Equal(t, "https://mastodon.example/inbox", o.SharedInbox())
			require.NotNil(t, o.PublicKey)
			assert.Equal(t, "https://mastodon.example/users/alice#main-key", o.PublicKey.ID)
			assert.Equal(t, o.ID, o.PublicKey.Owner)
			assert.True(t, strings.HasPrefix(o.PublicKey.PublicKeyPem, "-----BEGIN PUBLIC KEY-----\nMIIB"))
			assert.True(t, o.Discoverable)
			assert.True(t, o.Indexable)
			assert.False(t, o.ManuallyApprovesFollowers)
			assert.Equal(t, []string{"https://old.example/users/alice"}, o.AlsoKnownAs)
			assert.Equal(t, []string{"blog.alice.example"}, o.AttributionDomains)
			assert.Equal(t, "https://mastodon.example/users/alice/collections/featured", o.Featured)
			assert.Equal(t, "https://mastodon.example/users/alice/collections/tags", o.FeaturedTags)
			require.Len(t, o.Attachment, 2)
			assert.Equal(t, TypePropertyValue, o.Attachment[1].Obj.Type)
			assert.Equal(t, "Pronouns", o.Attachment[1].Obj.Name)
			assert.Equal(t, "she/her", o.Attachment[1].Obj.Value)
			emoji := o.Tag.Obj()
			require.NotNil(t, emoji)
			assert.Equal(t, TypeEmoji, emoji.Type)
			assert.Equal(t, ":gopher:", emoji.Name)
			assert.Equal(t, "https://files.mastodon.example/custom_emojis/images/000/004/242/original/gopher.png", emoji.Icon.Obj().URLString())
			assert.Equal(t, "image/jpeg", o.Image.Obj().MediaType)
			assert.Contains(t, o.Unknown, "devices")
			require.NoError(t, o.Validate())
		}},
		{"mastodon_question.json", func(t *testing.T, o *Object) {
			q := o.Object.Obj()
			require.NotNil(t, q)
			assert.Equal(t, TypeQuestion, q.Type)
			opts, multiple := q.PollOptions()
			assert.False(t, multiple)
			assert.Equal(t, []PollOption{{"Tabs", 7}, {"Spaces", 5}}, opts)
			require.NotNil(t, q.VotersCount)
			assert.Equal(t, 12, *q.VotersCount)
			assert.Equal(t, time.Date(2024, 11, 20, 10, 0, 0, 0, time.UTC), q.EndTime)
			assert.Equal(t, q.EndTime, q.Closed)
			assert.True(t, q.IsClosed(q.EndTime.Add(-time.Hour)))
			assert.Nil(t, q.Attachment)
		}},
		{"mastodon_delete.json", func(t *testing.T, o *Object) {
			ts := o.Object.Obj()
			require.NotNil(t, ts)
			assert.Equal(t, TypeTombstone, ts.Type)
			assert.Equal(t, "https://mastodon.example/users/alice/statuses/113456789012345678", o.Object.ID())
			assert.Contains(t, o.Unknown, "signature")
			require.NoError(t, o.ValidateActivity())
		}},
		{"mastodon_flag.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeFlag, o.Type)
			assert.Equal(t, []string{
				"https://spam.example/users/spammer",
				"https://spam.example/users/spammer/statuses/1",
				"https://spam.example/users/spammer/statuses/2",
			}, o.Object.IRIs())
			assert.Equal(t, "Spam links in every reply", o.Content)
			assert.JSONEq(t, `"https://www.w3.org/ns/activitystreams"`, string(o.LDContext))
		}},
		{"mastodon_move.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeMove, o.Type)
			assert.Equal(t, "https://old.example/users/alice", o.Object.ID())
			assert.Equal(t, "https://mastodon.example/users/alice", o.Target.IRI)
		}},
		{"mastodon_undo_follow.json", func(t *testing.T, o *Object) {
			f := o.Object.Obj()
			require.NotNil(t, f)
			assert.Equal(t, TypeFollow, f.Type)
			assert.Equal(t, "https://herd.example/users/carol", f.Object.ID())
			assert.True(t, SameOrigin(o.Actor.ID(), f.Actor.ID()))
		}},
		{"mastodon_announce.json", func(t *testing.T, o *Object) {
			assert.Equal(t, "https://other.example/users/bob/statuses/113456700000000000", o.Object.First().IRI)
			assert.Nil(t, o.Object.Obj())
		}},
		{"mastodon_quote.json", func(t *testing.T, o *Object) {
			assert.Equal(t, "https://other.example/users/bob/statuses/114999999999999999", o.Quote)
			assert.Equal(t, o.Quote, o.QuoteIRI())
			assert.Equal(t, o.Quote, o.MisskeyQuote)
			assert.Equal(t, "https://other.example/users/bob/quote_authorizations/7", o.QuoteAuthorization)
			assert.JSONEq(t, `{"canQuote":{"automaticApproval":["https://www.w3.org/ns/activitystreams#Public"]}}`, string(o.Unknown["interactionPolicy"]))
		}},
		{"gotosocial_create_note.json", func(t *testing.T, o *Object) {
			// GoToSocial sends single values where others send arrays.
			assert.Equal(t, []string{Public}, o.To)
			assert.Equal(t, []string{"https://gts.example/users/dave/followers"}, o.Cc)
			n := o.Object.Obj()
			require.Len(t, n.Attachment, 1)
			assert.Equal(t, TypeImage, n.Attachment[0].Obj.Type)
			assert.Equal(t, []float64{0.1, 0.3}, n.Attachment[0].Obj.FocalPoint)
			require.Len(t, n.Tag, 1)
			assert.Equal(t, TypeHashtag, n.Tag[0].Obj.Type)
			assert.Contains(t, n.Unknown, "interactionPolicy")
		}},
		{"akkoma_create_note.json", func(t *testing.T, o *Object) {
			n := o.Object.Obj()
			assert.Equal(t, "https://mastodon.example/users/alice/statuses/113456789012345678", n.QuoteURL)
			assert.Equal(t, n.QuoteURL, n.QuoteIRI())
			assert.Equal(t, "https://akkoma.example/contexts/6f2a1c8e-1111-4222-8333-944455556666", n.Context.IRI)
			require.NotNil(t, n.Source)
			assert.Equal(t, "text/x.misskeymarkdown", n.Source.MediaType)
			assert.Equal(t, 512367000, n.Published.Nanosecond())
			assert.Contains(t, o.Unknown, "directMessage")
			assert.Equal(t, VisibilityPublic, n.Visibility("https://akkoma.example/users/erin/followers"))
		}},
		{"pleroma_emojireact.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeEmojiReact, o.Type)
			assert.True(t, o.IsActivity())
			assert.Equal(t, ":blobcat:", o.Content)
			assert.Equal(t, TypeEmoji, o.Tag.Obj().Type)
			require.NoError(t, o.ValidateActivity())
			assert.Equal(t, VisibilityUnlisted, o.Visibility("https://pleroma.example/users/frank/followers"))
		}},
		{"misskey_create_note.json", func(t *testing.T, o *Object) {
			n := o.Object.Obj()
			assert.Equal(t, "https://mastodon.example/users/alice/statuses/113456789012345678", n.MisskeyQuote)
			assert.Equal(t, n.MisskeyQuote, n.QuoteIRI())
			assert.Contains(t, n.Unknown, "_misskey_content")
			assert.True(t, n.Attachment[0].Obj.Sensitive)
			assert.Empty(t, n.Attachment[0].Obj.Name)
			assert.Contains(t, n.Content, "すごい")
			assert.Equal(t, TypeEmoji, n.Tag[1].Obj.Type)
		}},
		{"lemmy_announce_page.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeAnnounce, o.Type)
			assert.Equal(t, "https://lemmy.example/c/golang", o.Actor.IRI)
			create := o.Object.Obj()
			require.NotNil(t, create)
			assert.Equal(t, TypeCreate, create.Type)
			assert.Equal(t, []string{"https://lemmy.example/c/golang"}, create.Audience)
			page := create.Object.Obj()
			require.NotNil(t, page)
			assert.Equal(t, TypePage, page.Type)
			assert.Equal(t, "Go 1.26 released with new(expr)", page.Name)
			assert.Equal(t, "text/markdown", page.Source.MediaType)
			assert.Equal(t, "https://go.dev/doc/go1.26", page.Attachment[0].ID())
			assert.Equal(t, TypeLink, page.Attachment[0].Obj.Type)
			assert.Contains(t, page.Unknown, "language")
			require.NoError(t, create.ValidateActivity())
		}},
		{"lemmy_group.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeGroup, o.Type)
			assert.Equal(t, "https://lemmy.example/c/golang/moderators", o.AttributedTo.ID())
			assert.Contains(t, o.Unknown, "postingRestrictedToMods")
			assert.Equal(t, "https://lemmy.example/inbox", o.SharedInbox())
		}},
		{"peertube_video.json", func(t *testing.T, o *Object) {
			assert.Equal(t, TypeVideo, o.Type)
			assert.Equal(t, []string{"https://peertube.example/accounts/henry", "https://peertube.example/video-channels/henry_channel"}, o.AttributedTo.IRIs())
			assert.Equal(t, TypeGroup, o.AttributedTo[1].Obj.Type)
			require.Len(t, o.URL, 3)
			assert.Equal(t, "https://peertube.example/w/cHm8sE1qv3nNq4iFJpXyZk", o.URLString())
			assert.Equal(t, 720, o.URL[2].Obj.Height)
			assert.Contains(t, o.URL[2].Obj.Unknown, "fps")
			require.Len(t, o.Icon, 2)
			assert.Equal(t, 280, o.Icon.Obj().Width)
			assert.Equal(t, "text/markdown", o.MediaType)
			assert.JSONEq(t, `"PT1834S"`, string(o.Unknown["duration"]))
			assert.Equal(t, "https://peertube.example/videos/watch/5c7f4a0e-9b2d-4e3a-8f61-0d3c2b1a0e9f/likes", o.Likes.IRI)
			require.NoError(t, o.Validate())
		}},
		{"mastodon_outbox_page.json", func(t *testing.T, o *Object) {
			assert.True(t, o.IsCollection())
			items := o.CollectionItems()
			require.Len(t, items, 2)
			assert.Equal(t, TypeAnnounce, items[0].Obj.Type)
			n := items[1].Obj.Object.Obj()
			assert.Equal(t, VisibilityUnlisted, n.Visibility("https://mastodon.example/users/alice/followers"))
			assert.Equal(t, "https://mastodon.example/users/alice/outbox", o.PartOf.IRI)
		}},
	}
	seen := map[string]bool{}
	for _, tt := range tests {
		seen[tt.file] = true
		t.Run(tt.file, func(t *testing.T) {
			tt.check(t, decodeFixture(t, tt.file))
		})
	}
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	for _, f := range files {
		assert.True(t, seen[filepath.Base(f)], "fixture %s has no test case", f)
	}
}

// TestRoundTripFixtures checks for every fixture that decode→encode keeps
// every property (known or not) up to JSON-LD-equivalent forms, and that a
// second round trip is byte-identical.
func TestRoundTripFixtures(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data := readFixture(t, filepath.Base(f))
			o, err := Decode(data)
			require.NoError(t, err)
			enc, err := Encode(o)
			require.NoError(t, err)
			assert.True(t, json.Valid(enc))

			var orig, got map[string]any
			require.NoError(t, json.Unmarshal(data, &orig))
			require.NoError(t, json.Unmarshal(enc, &got))
			delete(orig, "@context")
			delete(got, "@context")
			assert.Equal(t, normalizeJSON(orig), normalizeJSON(got))

			o2, err := Decode(enc)
			require.NoError(t, err)
			enc2, err := Encode(o2)
			require.NoError(t, err)
			assert.Equal(t, string(enc), string(enc2))
		})
	}
}

// normalizeJSON maps JSON values to a canonical form under the equivalences
// the codec relies on: null, false, "" and [] equal absence, a one-element
// array equals its element, and datetimes compare as instants.
func normalizeJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			if n := normalizeJSON(x); n != nil {
				out[k] = n
			}
		}
		return out
	case []any:
		var out []any
		for _, x := range v {
			if n := normalizeJSON(x); n != nil {
				out = append(out, n)
			}
		}
		switch len(out) {
		case 0:
			return nil
		case 1:
			return out[0]
		}
		return out
	case string:
		if v == "" {
			return nil
		}
		if t, ok := parseTime(v); ok && strings.Contains(v, "T") {
			return t.UTC().Format(time.RFC3339Nano)
		}
		return v
	case bool:
		if !v {
			return nil
		}
	}
	return v
}

func TestDecodeForms(t *testing.T) {
	t.Run("single values and arrays", func(t *testing.T) {
		single, err := Decode([]byte(`{"id":"https://a.example/1","type":"Note","to":"https://a.example/u","tag":{"type":"Hashtag","name":"#x"},"attributedTo":"https://a.example/u","url":"https://a.example/@u/1","icon":{"type":"Image","url":"https://a.example/i.png"}}`))
		require.NoError(t, err)
		arrays, err := Decode([]byte(`{"id":"https://a.example/1","type":["Note"],"to":["https://a.example/u"],"tag":[{"type":"Hashtag","name":"#x"}],"attributedTo":["https://a.example/u"],"url":["https://a.example/@u/1"],"icon":[{"type":"Image","url":"https://a.example/i.png"}]}`))
		require.NoError(t, err)
		assert.Equal(t, single, arrays)
	})
	t.Run("IRI or embedded", func(t *testing.T) {
		iri, err := Decode([]byte(`{"id":"https://a.example/like/1","type":"Like","actor":"https://a.example/u","object":"https://b.example/n/1"}`))
		require.NoError(t, err)
		emb, err := Decode([]byte(`{"id":"https://a.example/like/1","type":"Like","actor":{"id":"https://a.example/u","type":"Person","inbox":"https://a.example/u/inbox"},"object":{"id":"https://b.example/n/1","type":"Note"}}`))
		require.NoError(t, err)
		assert.Equal(t, iri.Actor.ID(), emb.Actor.ID())
		assert.Equal(t, iri.Object.ID(), emb.Object.ID())
		assert.Equal(t, IRIOf(iri.Actor), IRIOf(emb.Actor))
		assert.Nil(t, iri.Actor.Obj)
		assert.Equal(t, "https://a.example/u/inbox", emb.Actor.Obj.Inbox)
		// Addressing and actor collections embedded as objects still yield IRIs.
		o, err := Decode([]byte(`{"type":"Person","followers":{"id":"https://a.example/f","type":"OrderedCollection","totalItems":3},"to":[{"id":"https://a.example/u","type":"Person"}, null]}`))
		require.NoError(t, err)
		assert.Equal(t, "https://a.example/f", o.Followers)
		assert.Equal(t, []string{"https://a.example/u"}, o.To)
	})
	t.Run("unknown type and properties", func(t *testing.T) {
		o, err := Decode([]byte(`{"@context":{"x":"https://x.example/ns#"},"id":"https://a.example/1","type":"x:Widget","x:size":{"w":[1,2.5e3,{"deep":true}]},"name":"w"}`))
		require.NoError(t, err)
		assert.Equal(t, "x:Widget", o.Type)
		assert.Equal(t, `{"w":[1,2.5e3,{"deep":true}]}`, string(o.Unknown["x:size"]))
		enc, err := Encode(o)
		require.NoError(t, err)
		assert.Contains(t, string(enc), `"x:size":{"w":[1,2.5e3,{"deep":true}]}`)
		assert.Contains(t, string(enc), `"type":"x:Widget"`)
	})
	t.Run("type arrays and prefixes", func(t *testing.T) {
		o, err := Decode([]byte(`{"type":["as:Hashtag","https://example.org/ns#Topic"],"@id":"https://a.example/t"}`))
		require.NoError(t, err)
		assert.Equal(t, TypeHashtag, o.Type)
		assert.Equal(t, []string{"https://example.org/ns#Topic"}, o.AltTypes)
		assert.Equal(t, "https://a.example/t", o.ID)
	})
	t.Run("closed as boolean", func(t *testing.T) {
		o, err := Decode([]byte(`{"type":"Question","anyOf":[{"type":"Note","name":"a"}],"closed":true}`))
		require.NoError(t, err)
		assert.True(t, o.ClosedFlag)
		opts, multiple := o.PollOptions()
		assert.True(t, multiple)
		assert.Equal(t, []PollOption{{Name: "a"}}, opts)
	})
	t.Run("escapes", func(t *testing.T) {
		o, err := Decode([]byte(`{"content":"a\"b\\c\/d\n\u00e9\ud83d\ude00\ud800x","name":"\u0000"}`))
		require.NoError(t, err)
		assert.Equal(t, "a\"b\\c/d\né😀\ufffdx", o.Content)
		assert.Equal(t, "\x00", o.Name)
	})
	t.Run("datetime variants", func(t *testing.T) {
		for _, s := range []string{"2024-11-12T18:04:11Z", "2024-11-12T18:04:11.000Z", "2024-11-12T19:04:11+01:00", "2024-11-12T19:04:11+0100", "2024-11-12T18:04:11"} {
			o, err := Decode([]byte(`{"published":"` + s + `"}`))
			require.NoError(t, err, s)
			assert.True(t, o.Published.Equal(time.Date(2024, 11, 12, 18, 4, 11, 0, time.UTC)), s)
		}
	})
	t.Run("nulls are absent", func(t *testing.T) {
		o, err := Decode([]byte(`{"id":null,"type":null,"content":null,"to":null,"tag":null,"inReplyTo":null,"sensitive":null,"width":null,"published":null,"contentMap":null,"publicKey":null,"endpoints":null,"totalItems":null}`))
		require.NoError(t, err)
		assert.Equal(t, &Object{}, o)
	})
	t.Run("endpoints as IRI kept raw", func(t *testing.T) {
		o, err := Decode([]byte(`{"type":"Person","endpoints":"https://a.example/endpoints"}`))
		require.NoError(t, err)
		assert.Nil(t, o.Endpoints)
		enc, err := Encode(o)
		require.NoError(t, err)
		assert.Contains(t, string(enc), `"endpoints":"https://a.example/endpoints"`)
	})
	t.Run("UnmarshalJSON", func(t *testing.T) {
		var wrapper struct{ Obj *Object }
		require.NoError(t, json.Unmarshal([]byte(`{"Obj":{"type":"Note","content":"hi"}}`), &wrapper))
		assert.Equal(t, "hi", wrapper.Obj.Content)
	})
}

func TestDecodeErrors(t *testing.T) {
	deep := strings.Repeat("[", 40) + strings.Repeat("]", 40)
	deepObj := strings.Repeat(`{"object":`, 40) + `"x"` + strings.Repeat("}", 40)
	huge := `{"to":[` + strings.Repeat(`"a",`, DefaultMaxArrayLen) + `"a"]}`
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", ``, ErrSyntax},
		{"whitespace", "  \n", ErrSyntax},
		{"not JSON", `hello`, ErrSyntax},
		{"HTML", `<html><body>nope</body></html>`, ErrSyntax},
		{"truncated", `{"id":"https://a.example/1","type":"No`, ErrSyntax},
		{"truncated object", `{"id":"x"`, ErrSyntax},
		{"trailing data", `{"id":"x"} {}`, ErrSyntax},
		{"trailing comma", `{"id":"x",}`, ErrSyntax},
		{"array trailing comma", `{"to":["x",]}`, ErrSyntax},
		{"missing colon", `{"id" "x"}`, ErrSyntax},
		{"single quotes", `{'id':'x'}`, ErrSyntax},
		{"unquoted key", `{id:"x"}`, ErrSyntax},
		{"top-level array", `[{"id":"x"}]`, ErrNotObject},
		{"top-level string", `"x"`, ErrNotObject},
		{"top-level number", `42`, ErrNotObject},
		{"top-level null", `null`, ErrNotObject},
		{"top-level broken array", `[1,`, ErrSyntax},
		{"invalid UTF-8", "{\"content\":\"\xff\xfe\"}", ErrSyntax},
		{"raw control char", "{\"content\":\"a\nb\"}", ErrSyntax},
		{"bad escape", `{"content":"\x41"}`, ErrSyntax},
		{"short unicode escape", `{"content":"\u12"}`, ErrSyntax},
		{"bad escape in unknown", `{"x":"\q"}`, ErrSyntax},
		{"NaN", `{"width":NaN}`, ErrSyntax},
		{"NaN unknown", `{"x":NaN}`, ErrSyntax},
		{"leading zero", `{"x":01}`, ErrSyntax},
		{"bare minus", `{"x":-}`, ErrSyntax},
		{"bad exponent", `{"x":1e}`, ErrSyntax},
		{"bad literal", `{"x":tru}`, ErrSyntax},
		{"deep unknown", `{"x":` + deep + `}`, ErrTooDeep},
		{"deep known", deepObj, ErrTooDeep},
		{"huge array", huge, ErrTooLarge},
		{"number for content", `{"content":42}`, ErrInvalidValue},
		{"object for id", `{"id":{"id":"x"}}`, ErrInvalidValue},
		{"array for name", `{"name":["a"]}`, ErrInvalidValue},
		{"string for sensitive", `{"sensitive":"true"}`, ErrInvalidValue},
		{"string for width", `{"width":"100"}`, ErrInvalidValue},
		{"fraction for width", `{"width":1.5}`, ErrInvalidValue},
		{"huge int", `{"totalItems":1e300}`, ErrInvalidValue},
		{"number for actor", `{"actor":7}`, ErrInvalidValue},
		{"number in to", `{"to":["a",7]}`, ErrInvalidValue},
		{"bool in tag", `{"tag":[true]}`, ErrInvalidValue},
		{"bad datetime", `{"published":"yesterday"}`, ErrInvalidValue},
		{"number for published", `{"published":1700000000}`, ErrInvalidValue},
		{"string for contentMap", `{"contentMap":"x"}`, ErrInvalidValue},
		{"number in contentMap", `{"contentMap":{"en":1}}`, ErrInvalidValue},
		{"string for focalPoint", `{"focalPoint":"0,0"}`, ErrInvalidValue},
		{"overflow focalPoint", `{"focalPoint":[1e999,0]}`, ErrInvalidValue},
		{"number for publicKey", `{"publicKey":1}`, ErrInvalidValue},
		{"number for closed", `{"closed":1}`, ErrInvalidValue},
		{"nested type error", `{"object":{"tag":[{"href":5}]}}`, ErrInvalidValue},
		{"syntax error wins over type error", `{"content":[1,}`, ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := Decode([]byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, o)
			assert.ErrorIs(t, err, tt.want, "got %v", err)
		})
	}

	t.Run("error names the property", func(t *testing.T) {
		_, err := Decode([]byte(`{"object":{"tag":[{"type":"Mention"},{"href":5}]}}`))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "object: tag: [1]: href:")
	})
	t.Run("options", func(t *testing.T) {
		_, err := DecodeWith([]byte(`{"object":{"object":{"id":"x"}}}`), &DecodeOptions{MaxDepth: 2})
		assert.ErrorIs(t, err, ErrTooDeep)
		_, err = DecodeWith([]byte(`{"object":{"object":"x"}}`), &DecodeOptions{MaxDepth: 2})
		assert.NoError(t, err)
		_, err = DecodeWith([]byte(`{"to":["a","b","c"]}`), &DecodeOptions{MaxArrayLen: 2})
		assert.ErrorIs(t, err, ErrTooLarge)
		_, err = DecodeWith([]byte(`{"id":"https://a.example/1"}`), &DecodeOptions{MaxBytes: 10})
		assert.ErrorIs(t, err, ErrTooLarge)
		_, err = Decode(make([]byte, DefaultMaxBytes+1))
		assert.ErrorIs(t, err, ErrTooLarge)
	})
	t.Run("depth limit is exact", func(t *testing.T) {
		nest := func(n int) string { // n levels including the top-level object
			return strings.Repeat(`{"x":`, n-1) + `{}` + strings.Repeat(`}`, n-1)
		}
		_, err := Decode([]byte(nest(DefaultMaxDepth)))
		assert.NoError(t, err)
		_, err = Decode([]byte(nest(DefaultMaxDepth + 1)))
		assert.ErrorIs(t, err, ErrTooDeep)
	})
	t.Run("no panic on very deep input", func(t *testing.T) {
		_, err := Decode([]byte(strings.Repeat(`{"a":[`, 100000)))
		assert.True(t, errors.Is(err, ErrTooDeep))
	})
}

func TestRefsHelpers(t *testing.T) {
	rs := Refs{IRIRef("https://a.example/1"), {}, Embed(&Object{ID: "https://a.example/2"}), Embed(&Object{Type: TypeLink, Href: "https://a.example/3"})}
	assert.Equal(t, []string{"https://a.example/1", "https://a.example/2", "https://a.example/3"}, rs.IRIs())
	assert.Len(t, rs.Objects(), 2)
	assert.Equal(t, "https://a.example/2", rs.Obj().ID)
	assert.True(t, rs.Contains("https://a.example/3"))
	assert.False(t, rs.Contains("https://a.example/4"))
	assert.Equal(t, "https://a.example/1", rs.ID())
	assert.Equal(t, "", Refs(nil).ID())
	assert.Nil(t, Refs(nil).Obj())
	assert.True(t, Ref{}.IsZero())

	var nilObj *Object
	assert.Equal(t, "", nilObj.QuoteIRI())
	assert.Equal(t, "", nilObj.URLString())
	assert.Equal(t, "", nilObj.SharedInbox())
	assert.False(t, nilObj.IsActivity())
	assert.False(t, nilObj.IsClosed(time.Now()))
	assert.Nil(t, nilObj.CollectionItems())
	opts, _ := nilObj.PollOptions()
	assert.Nil(t, opts)

	// FEP-e232 quote link.
	q, err := Decode([]byte(`{"type":"Note","tag":[{"type":"Link","mediaType":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","rel":"https://misskey-hub.net/ns#_misskey_quote","href":"https://a.example/n/1"}]}`))
	require.NoError(t, err)
	assert.Equal(t, "https://a.example/n/1", q.QuoteIRI())

	// URLString prefers text/html links.
	o := &Object{URL: Refs{
		Embed(&Object{Type: TypeLink, MediaType: "video/mp4", Href: "https://a.example/v.mp4"}),
		Embed(&Object{Type: TypeLink, MediaType: "text/html", Href: "https://a.example/watch"}),
	}}
	assert.Equal(t, "https://a.example/watch", o.URLString())
	o.URL = o.URL[:1]
	assert.Equal(t, "https://a.example/v.mp4", o.URLString())
}

func TestDecodeDoesNotRetainInput(t *testing.T) {
	data := []byte(`{"id":"https://a.example/1","type":"Note","x":{"y":1}}`)
	o, err := Decode(data)
	require.NoError(t, err)
	for i := range data {
		data[i] = ' '
	}
	assert.Equal(t, "https://a.example/1", o.ID)
	assert.Equal(t, `{"y":1}`, string(o.Unknown["x"]))
	assert.True(t, reflect.DeepEqual(o.Type, TypeNote))
}
