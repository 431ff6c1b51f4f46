package federate

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/storage"
)

// Keys of storage.Status.Extra written for remote statuses.
const (
	// ExtraObjectType holds the ActivityStreams type of a remote post that
	// is not a Note (Article, Page, Video …), as a JSON string.
	ExtraObjectType = "object_type"
)

// converted is an inbound post turned into records.
type converted struct {
	status *storage.Status
	media  []*storage.MediaAttachment
	// poll is the poll of a Question (titles sanitised), or nil.
	poll *storage.Poll
	// localMention is set when the post mentions a local account.
	localMention bool
}

// convert turns a verified inbound post by author into a status record:
// HTML sanitised, mentions mapped to accounts (unknown remote ones fetched
// within the budget and MaxMentionFetches), attachments by reference, a
// link for types other than Note, the poll of a Question.
func (f *Federator) convert(ctx context.Context, o *ap.Object, author *storage.Account) (*converted, error) {
	st, err := federation.NoteToStatus(o, author)
	if err != nil {
		return nil, federation.ErrInvalidActivity(err.Error())
	}
	out := &converted{status: st}
	st.Content = f.z.HTML(st.Content)
	st.SpoilerText = f.z.Text(st.SpoilerText)
	if st.SpoilerText != "" {
		st.Sensitive = true
	}
	if !validHTTPURL(st.URL) {
		st.URL = st.URI
	}
	if o.Type != ap.TypeNote && o.Type != ap.TypeQuestion {
		st.Extra[ExtraObjectType] = mustJSON(o.Type)
		if link := o.URLString(); validHTTPURL(link) {
			e := html.EscapeString(link)
			st.Content += `<p><a href="` + e + `" rel="nofollow noopener noreferrer" target="_blank">` + e + `</a></p>`
		}
	}
	if p := federation.QuestionToPoll(o, time.Now()); p != nil {
		opts := p.Options[:0]
		for _, op := range p.Options {
			// At most as many options as Mastodon shows, each a short text.
			if op.Title = truncateRunes(f.z.Text(op.Title), maxPollTitle); op.Title != "" && len(opts) < maxRemotePollOptions {
				opts = append(opts, op)
			}
		}
		if p.Options = opts; len(opts) > 0 {
			p.VotesCount = 0
			for _, op := range opts {
				p.VotesCount += op.VotesCount
			}
			out.poll = p
		}
	}
	// Mentions.
	mentions := storage.Mentions{}
	fetches := 0
	seen := map[storage.ID]bool{}
	for _, m := range st.Mentions {
		a, err := f.store.Accounts().GetByURI(ctx, m.URI)
		if errors.Is(err, storage.ErrNotFound) {
			a = nil
			if fetches < f.o.MaxMentionFetches && !strings.HasPrefix(m.URI, f.urls.Base()+"/") {
				fetches++
				if a, err = f.resolver.ResolveActor(ctx, m.URI); err != nil {
					f.log.Debug("federate: mention not resolved", "uri", m.URI, "err", err)
					a = nil
				}
			}
		} else if err != nil {
			return nil, err
		}
		if a == nil || seen[a.ID] {
			continue
		}
		seen[a.ID] = true
		if a.Local() {
			out.localMention = true
		}
		mentions = append(mentions, storage.Mention{AccountID: a.ID, Username: a.Username, Acct: a.Acct(), URL: a.URL, URI: a.URI})
	}
	st.Mentions = mentions
	// Attachments, by reference.
	for _, att := range o.Attachment.Objects() {
		if len(out.media) >= f.o.MaxAttachments {
			break
		}
		if m := mediaOf(att, f.z); m != nil {
			out.media = append(out.media, m)
		}
	}
	return out, nil
}

// mediaOf turns a remote attachment into a media record by reference, or
// nil when it has no usable http(s) URL.
func mediaOf(att *ap.Object, z *Sanitizer) *storage.MediaAttachment {
	u := att.URLString()
	if u == "" {
		u = att.Href
	}
	if !validHTTPURL(u) {
		return nil
	}
	mt := strings.ToLower(att.MediaType)
	typ := storage.MediaUnknown
	switch {
	case mt == "image/gif" && att.Type == ap.TypeVideo:
		typ = storage.MediaGIFV
	case strings.HasPrefix(mt, "image/"), mt == "" && att.Type == ap.TypeImage:
		typ = storage.MediaImage
	case strings.HasPrefix(mt, "video/"), mt == "" && att.Type == ap.TypeVideo:
		typ = storage.MediaVideo
	case strings.HasPrefix(mt, "audio/"), mt == "" && att.Type == ap.TypeAudio:
		typ = storage.MediaAudio
	}
	m := &storage.MediaAttachment{Type: typ, State: storage.MediaReady, RemoteURL: u, ContentType: att.MediaType,
		Description: z.Text(att.Name), Blurhash: att.Blurhash}
	if len(m.Blurhash) > 100 {
		m.Blurhash = ""
	}
	if r := []rune(m.Description); len(r) > maxRemoteDescription {
		m.Description = string(r[:maxRemoteDescription])
	}
	if len(att.FocalPoint) == 2 {
		m.FocusX, m.FocusY = clamp1(att.FocalPoint[0]), clamp1(att.FocalPoint[1])
	}
	if att.Width > 0 && att.Height > 0 {
		m.Meta.Original = &storage.MediaSize{Width: att.Width, Height: att.Height,
			Aspect: float64(att.Width) / float64(att.Height)}
	}
	return m
}

func clamp1(v float64) float64 {
	if v != v { // NaN
		return 0
	}
	return max(-1, min(1, v))
}

func validHTTPURL(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

func mustJSON(v any) json.RawMessage {
	b, _ := json.Marshal(v)
	return b
}

// attributedActor returns the author IRI of a post: the first actor of
// attributedTo (PeerTube lists a Person and a Group).
func attributedActor(o *ap.Object) string {
	for _, r := range o.AttributedTo {
		if r.Obj != nil && r.Obj.Type != "" && !ap.IsActorType(r.Obj.Type) {
			continue
		}
		if r.Obj != nil && r.Obj.Type == ap.TypeGroup && len(o.AttributedTo) > 1 {
			continue
		}
		if id := r.ID(); id != "" {
			return id
		}
	}
	return ""
}

// Bounds on the polls of remote Questions: a hostile peer cannot store
// thousands of options or long texts.
const (
	maxRemotePollOptions = 32
	maxPollTitle         = 500
)

// truncateRunes cuts s to at most n runes.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// maxRemoteDescription bounds the alt text kept of a remote attachment
// (Mastodon's description limit).
const maxRemoteDescription = 1500
