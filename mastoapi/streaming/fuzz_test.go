package streaming_test

import (
	"errors"
	"testing"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/timeline"
)

func FuzzClientMessage(f *testing.F) {
	for _, s := range []string{
		`{"type":"subscribe","stream":"user"}`,
		`{"type":"subscribe","stream":"hashtag","tag":"#GoLang"}`,
		`{"type":"unsubscribe","stream":"list","list":12}`,
		`{"type":"subscribe","stream":"public:remote:media"}`,
		`{"type":"subscribe","stream":"hashtag:local","tag":"日本語"}`,
		`{"type":"subscribe","stream":"list","list":"-1"}`,
		`{"type":"subscribe","stream":"hashtag","tag":["x"]}`,
		`{"type":1}`, `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, st, err := streaming.ParseClientMessage(b)
		if err != nil {
			var re *streaming.RequestError
			if !errors.As(err, &re) || re.Status < 400 || re.Message == "" {
				t.Fatalf("error %v is not a request error", err)
			}
			return
		}
		if m.Type != "subscribe" && m.Type != "unsubscribe" {
			t.Fatalf("accepted type %q", m.Type)
		}
		// Whatever is accepted makes valid hub channels and a stable stream.
		for _, c := range []string{streaming.HashtagChannel(st.Tag, true), streaming.ListChannel(st.List)} {
			if (st.Tag != "" || st.List != "") && !timeline.ValidChannel(c) && c != "list:" && c != "hashtag:local:" {
				t.Fatalf("invalid channel %q", c)
			}
		}
		again, err := streaming.ParseStream(st.Name, st.Tag, st.List)
		if err != nil || again != st {
			t.Fatalf("stream %+v does not parse back: %+v, %v", st, again, err)
		}
	})
}
