package ap_test

import (
	"fmt"
	"log"
	"time"

	"github.com/herd-social/herd/ap"
)

// Decode an inbound Create(Note) and read it with the typed accessors.
func ExampleDecode() {
	body := []byte(`{
	  "@context": ["https://www.w3.org/ns/activitystreams", {"sensitive": "as:sensitive"}],
	  "id": "https://mastodon.example/users/alice/statuses/1/activity",
	  "type": "Create",
	  "actor": "https://mastodon.example/users/alice",
	  "to": ["https://www.w3.org/ns/activitystreams#Public"],
	  "cc": ["https://mastodon.example/users/alice/followers"],
	  "object": {
	    "id": "https://mastodon.example/users/alice/statuses/1",
	    "type": "Note",
	    "attributedTo": "https://mastodon.example/users/alice",
	    "content": "<p>Hello, Herd!</p>",
	    "sensitive": true,
	    "summary": "greetings",
	    "tag": {"type": "Mention", "href": "https://herd.example/users/carol", "name": "@carol@herd.example"},
	    "conversation": "tag:mastodon.example,2026:objectId=1:objectType=Conversation"
	  }
	}`)
	act, err := ap.Decode(body)
	if err != nil {
		log.Fatal(err)
	}
	if err := act.ValidateActivity(); err != nil {
		log.Fatal(err)
	}
	note := act.Object.Obj() // nil when the object is only an IRI
	fmt.Println(act.Type, "by", act.Actor.ID())
	fmt.Println(note.Type, note.ID)
	fmt.Println("same origin:", ap.SameOrigin(act.Actor.ID(), note.ID))
	fmt.Println("content:", note.Content)
	fmt.Println("CW:", note.Summary, "sensitive:", note.Sensitive)
	fmt.Println("visibility:", act.Visibility("https://mastodon.example/users/alice/followers"))
	for _, tag := range note.Tag.Objects() {
		fmt.Println("tag:", tag.Type, tag.Href)
	}
	fmt.Println("kept:", string(note.Unknown["conversation"]))
	// Output:
	// Create by https://mastodon.example/users/alice
	// Note https://mastodon.example/users/alice/statuses/1
	// same origin: true
	// content: <p>Hello, Herd!</p>
	// CW: greetings sensitive: true
	// visibility: public
	// tag: Mention https://herd.example/users/carol
	// kept: "tag:mastodon.example,2026:objectId=1:objectType=Conversation"
}

// Build a followers-only Note mentioning someone, wrap it in a Create and
// encode it as Mastodon would.
func ExampleEncode() {
	const carol = "https://herd.example/users/carol"
	to, cc := ap.Addressing(ap.VisibilityPrivate, carol+"/followers", []string{"https://mastodon.example/users/alice"})
	note := &ap.Object{
		ID:           carol + "/statuses/42",
		Type:         ap.TypeNote,
		AttributedTo: ap.Refs{ap.IRIRef(carol)},
		Content:      `<p><span class="h-card"><a href="https://mastodon.example/@alice" class="u-url mention">@alice</a></span> hi</p>`,
		Published:    time.Date(2026, 11, 25, 19, 7, 41, 0, time.UTC),
		To:           to,
		Cc:           cc,
		Tag:          ap.Refs{ap.Embed(&ap.Object{Type: ap.TypeMention, Href: "https://mastodon.example/users/alice", Name: "@alice@mastodon.example"})},
	}
	create := &ap.Object{
		ID:     note.ID + "/activity",
		Type:   ap.TypeCreate,
		Actor:  ap.IRIRef(carol),
		Object: ap.Refs{ap.Embed(note)},
		To:     note.To,
		Cc:     note.Cc,
	}
	data, err := ap.Encode(create)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(data))
	// Output:
	// {"@context":["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{"sensitive":"as:sensitive"}],"id":"https://herd.example/users/carol/statuses/42/activity","type":"Create","actor":"https://herd.example/users/carol","object":{"id":"https://herd.example/users/carol/statuses/42","type":"Note","attributedTo":"https://herd.example/users/carol","content":"<p><span class=\"h-card\"><a href=\"https://mastodon.example/@alice\" class=\"u-url mention\">@alice</a></span> hi</p>","published":"2026-11-25T19:07:41Z","to":["https://herd.example/users/carol/followers"],"cc":["https://mastodon.example/users/alice"],"sensitive":false,"tag":[{"type":"Mention","name":"@alice@mastodon.example","href":"https://mastodon.example/users/alice"}]},"to":["https://herd.example/users/carol/followers"],"cc":["https://mastodon.example/users/alice"]}
}

func ExampleAddressing() {
	to, cc := ap.Addressing(ap.VisibilityUnlisted, "https://herd.example/users/carol/followers", nil)
	fmt.Println(to, cc)
	fmt.Println(ap.VisibilityOf(to, cc, "https://herd.example/users/carol/followers"))
	// Output:
	// [https://herd.example/users/carol/followers] [https://www.w3.org/ns/activitystreams#Public]
	// unlisted
}

func ExampleIsActivityPubMediaType() {
	fmt.Println(ap.IsActivityPubMediaType(`application/ld+json; charset=utf-8; profile="https://www.w3.org/ns/activitystreams"`))
	fmt.Println(ap.IsActivityPubMediaType("application/json"))
	fmt.Println(ap.AcceptsActivityPub("text/html,application/xhtml+xml,*/*;q=0.8"))
	// Output:
	// true
	// false
	// false
}

func ExampleSameOrigin() {
	// The id of a fetched object must be on the origin it was fetched from.
	fmt.Println(ap.SameOrigin("https://mastodon.example/users/alice", "https://MASTODON.example:443/inbox"))
	fmt.Println(ap.SameOrigin("https://mastodon.example/users/alice", "https://evil.example/users/alice"))
	// Output:
	// true
	// false
}
