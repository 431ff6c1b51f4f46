package ap

import (
	"bytes"
	"encoding/json"
	"testing"

	vocab "github.com/go-ap/activitypub"
)

// compactFixture returns a fixture as a peer would send it (no indentation).
func compactFixture(b *testing.B, name string) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, readFixture(b, name)); err != nil {
		b.Fatal(err)
	}
	return buf.Bytes()
}

// BenchmarkDecodeCreateNote decodes a typical Mastodon Create(Note) with a
// mention, a hashtag, an image attachment and a replies collection.
func BenchmarkDecodeCreateNote(b *testing.B) {
	data := compactFixture(b, "mastodon_create_note.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeCreateNoteGoAP is the same document through go-ap's own
// decoder, for comparison (it also drops the extensions and unknown
// properties).
func BenchmarkDecodeCreateNoteGoAP(b *testing.B) {
	data := compactFixture(b, "mastodon_create_note.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := vocab.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePerson(b *testing.B) {
	data := compactFixture(b, "mastodon_person.json")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeNote encodes the Note of the Create(Note) fixture.
func BenchmarkEncodeNote(b *testing.B) {
	o, err := Decode(compactFixture(b, "mastodon_create_note.json"))
	if err != nil {
		b.Fatal(err)
	}
	note := o.Object.Obj()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(note); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeCreateNote(b *testing.B) {
	o, err := Decode(compactFixture(b, "mastodon_create_note.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(o); err != nil {
			b.Fatal(err)
		}
	}
}
