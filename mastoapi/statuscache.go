package mastoapi

import (
	"bytes"
	"encoding/json"
	"hash/maphash"
	"net/http"
	"strconv"
	"sync"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Rendering a page of statuses as JSON was the largest cost of the
// timelines (about a third of a home page's CPU). Most of a status's JSON
// is the same for every viewer: only favourited, reblogged, muted,
// bookmarked, pinned and filtered (and a poll's voted/own_votes) depend on
// who reads it. The API keeps the JSON of a status rendered for no viewer
// in a bounded in-memory cache and, for a signed-in viewer, splices that
// viewer's fields into it.
//
// A cached rendering is used only when it is exactly what rendering the
// status afresh would give: its key holds everything the viewer-independent
// part is rendered from that can change — the status's and its author's
// UpdatedAt, their counters, the reply links, a hash of the texts, of the
// rendered attachments and of the application — and for a boost the same
// for the boosted status. Statuses whose rendering depends on the viewer
// beyond the spliced fields are rendered in full, as before: when the
// viewer has keyword filters, the status (or the boosted one) carries a
// poll, or the viewer wrote it.

// DefaultStatusCacheSize is the default bound, in bytes of JSON, of the
// cache of rendered statuses (Options.StatusCacheSize).
const DefaultStatusCacheSize = 8 << 20

// statusCache holds rendered statuses by ID in two generations: new
// entries go to cur; when cur holds half the budget it becomes prev (and
// the old prev is dropped), and a hit in prev moves the entry back to
// cur. Statuses read often thus stay, without the bookkeeping of an LRU.
type statusCache struct {
	max int // bytes; <= 0: disabled

	mu        sync.Mutex
	cur, prev map[storage.ID]*cachedStatus
	curBytes  int
}

// cachedStatus is a status rendered for no viewer.
type cachedStatus struct {
	key statusKey
	raw []byte // compact JSON, HTML not escaped, no newline
	// Where the viewer's fields go: before the `,"mentions":` of the
	// status itself (outer) and, for a boost, of the boosted status
	// (inner, else -1).
	outer, inner int
}

// statusKey is what the viewer-independent rendering of a status is made
// from and may change without the status's ID changing.
type statusKey struct {
	st, orig     recordKey
	author, oath accountKey
	extra        uint64 // attachments and application of both
}

type recordKey struct {
	id                     storage.ID
	updated, edited        int64
	replies, reblogs, favs int64
	inReplyTo, inReplyAcct storage.ID
	text                   uint64
	sensitive              bool
	visibility             storage.Visibility
}

// accountKey identifies one rendering of an account (see AccountToAPI).
type accountKey struct {
	id                             storage.ID
	updated, lastStatus            int64
	statuses, followers, following int64
}

func newAccountKey(a *storage.Account) accountKey {
	k := accountKey{id: a.ID, updated: a.UpdatedAt.UnixNano(), statuses: a.StatusesCount,
		followers: a.FollowersCount, following: a.FollowingCount}
	if a.LastStatusAt != nil {
		k.lastStatus = a.LastStatusAt.UnixNano()
	}
	return k
}

// hashSeed is fixed for the process: the keys are compared in memory only.
var hashSeed = maphash.MakeSeed()

func newRecordKey(st *storage.Status) recordKey {
	k := recordKey{id: st.ID, updated: st.UpdatedAt.UnixNano(), replies: st.RepliesCount, reblogs: st.ReblogsCount,
		favs: st.FavouritesCount, inReplyTo: st.InReplyToID, inReplyAcct: st.InReplyToAccountID,
		sensitive: st.Sensitive, visibility: st.Visibility}
	if st.EditedAt != nil {
		k.edited = st.EditedAt.UnixNano()
	}
	var h maphash.Hash
	h.SetSeed(hashSeed)
	h.WriteString(st.Content)
	h.WriteByte(0)
	h.WriteString(st.SpoilerText)
	h.WriteByte(0)
	h.WriteString(st.URL)
	k.text = h.Sum64()
	return k
}

func (c *statusCache) get(id storage.ID, key *statusKey) *cachedStatus {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.cur[id]
	if e == nil {
		if e = c.prev[id]; e != nil {
			delete(c.prev, id)
			c.addLocked(id, e)
		}
	}
	if e == nil || e.key != *key {
		return nil
	}
	return e
}

func (c *statusCache) put(id storage.ID, e *cachedStatus) {
	if len(e.raw) > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.cur[id]; old != nil {
		c.curBytes -= len(old.raw)
	}
	c.addLocked(id, e)
}

func (c *statusCache) addLocked(id storage.ID, e *cachedStatus) {
	if c.cur == nil || c.curBytes+len(e.raw) > c.max/2 {
		c.prev, c.cur, c.curBytes = c.cur, make(map[storage.ID]*cachedStatus, 256), 0
	}
	c.cur[id] = e
	c.curBytes += len(e.raw)
}

// viewerFields is what StatusToAPI adds for a signed-in viewer to a
// status the viewer did not write, with no filter matching.
var viewerFields = [2][2][2][2]string{}

func init() {
	b := func(v bool) string { return strconv.FormatBool(v) }
	for f := range 2 {
		for r := range 2 {
			for m := range 2 {
				for k := range 2 {
					viewerFields[f][r][m][k] = `,"favourited":` + b(f == 1) + `,"reblogged":` + b(r == 1) +
						`,"muted":` + b(m == 1) + `,"bookmarked":` + b(k == 1) + `,"filtered":[]`
				}
			}
		}
	}
}

func bit(v bool) int {
	if v {
		return 1
	}
	return 0
}

func (b *statusBatch) viewerFieldsOf(id storage.ID) string {
	vs := b.states[id]
	return viewerFields[bit(vs.Favourited)][bit(vs.Reblogged)][bit(b.muted[id])][bit(vs.Bookmarked)]
}

var mentionsKey = []byte(`,"mentions":`)

// cacheKey returns the key of st's cached rendering, or false when st is
// not rendered from the cache for this batch's viewer.
func (b *statusBatch) cacheKey(st *storage.Status) (statusKey, bool) {
	if b.filters != nil || b.withText || st.PollID != 0 {
		return statusKey{}, false
	}
	author := b.authors[st.AccountID]
	if author == nil || (b.viewer != nil && b.viewer.ID == st.AccountID) {
		return statusKey{}, false
	}
	k := statusKey{st: newRecordKey(st), author: newAccountKey(author)}
	var h maphash.Hash
	h.SetSeed(hashSeed)
	b.hashExtra(&h, st)
	if st.ReblogOfID != 0 {
		orig := b.statuses[st.ReblogOfID]
		if orig == nil || orig.PollID != 0 || orig.ReblogOfID != 0 {
			return statusKey{}, false
		}
		oa := b.authors[orig.AccountID]
		if oa == nil || (b.viewer != nil && b.viewer.ID == orig.AccountID) {
			return statusKey{}, false
		}
		k.orig, k.oath = newRecordKey(orig), newAccountKey(oa)
		h.WriteByte(1)
		b.hashExtra(&h, orig)
	}
	k.extra = h.Sum64()
	return k, true
}

// hashExtra hashes what st's rendering takes from outside its record and
// its author's: the rendered attachments and the application.
func (b *statusBatch) hashExtra(h *maphash.Hash, st *storage.Status) {
	for _, id := range st.MediaIDs {
		h.Write(b.media[id])
		h.WriteByte(0)
	}
	if app := b.apps[st.ApplicationID]; app != nil && st.Local && st.ReblogOfID == 0 {
		h.WriteString(app.Name)
		h.WriteByte(0)
		h.WriteString(app.Website)
	}
}

// renderCached renders st for no viewer and finds where the viewer's
// fields go; nil when st cannot be rendered or the layout is not the
// expected one (then it is rendered in full).
func (a *API) renderCached(b *statusBatch, st *storage.Status, key statusKey) *cachedStatus {
	anon := *b
	anon.viewer, anon.muted, anon.filters = nil, nil, nil
	out := anon.one(a, st)
	if out == nil {
		return nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return nil
	}
	raw := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	first := bytes.Index(raw, mentionsKey)
	last := bytes.LastIndex(raw, mentionsKey)
	n := bytes.Count(raw, mentionsKey)
	e := &cachedStatus{key: key, raw: raw, outer: last, inner: -1}
	switch {
	case st.ReblogOfID == 0 && n == 1:
	case st.ReblogOfID != 0 && n == 2:
		e.inner = first
	default:
		return nil
	}
	return e
}

// appendStatus appends st as b.one renders it for b's viewer, as JSON
// (HTML not escaped, no newline), using the cache where it can; false
// when st is left out (as b.one leaves it out).
func (a *API) appendStatus(dst *bytes.Buffer, enc *json.Encoder, b *statusBatch, st *storage.Status) (bool, error) {
	if a.statusJSON.max > 0 {
		if key, ok := b.cacheKey(st); ok {
			e := a.statusJSON.get(st.ID, &key)
			if e == nil {
				if e = a.renderCached(b, st, key); e != nil {
					a.statusJSON.put(st.ID, e)
				}
			}
			if e != nil {
				if b.viewer == nil {
					dst.Write(e.raw)
					return true, nil
				}
				fields := b.viewerFieldsOf(st.ID)
				if st.ReblogOfID == 0 {
					dst.Write(e.raw[:e.outer])
					dst.WriteString(fields)
					dst.Write(e.raw[e.outer:])
					return true, nil
				}
				// A boost shows the boosted status's state on the wrapper too.
				fields = b.viewerFieldsOf(st.ReblogOfID)
				dst.Write(e.raw[:e.inner])
				dst.WriteString(fields)
				dst.Write(e.raw[e.inner:e.outer])
				dst.WriteString(fields)
				dst.Write(e.raw[e.outer:])
				return true, nil
			}
		}
	}
	out := b.one(a, st)
	if out == nil {
		return false, nil
	}
	if err := enc.Encode(out); err != nil {
		return false, err
	}
	dst.Truncate(dst.Len() - 1) // the Encoder's newline
	return true, nil
}

// writeStatusesJSON renders a page of statuses for viewer and writes them
// as WriteJSON(w, 200, renderLoaded(…)) would, taking the records pre
// (when not nil) loaded with the page.
func (a *API) writeStatusesJSON(w http.ResponseWriter, r *http.Request, viewer *storage.Account, sts []*storage.Status, pre *social.Page, beforeWrite func()) error {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= maxPooledBuffer {
			jsonBuffers.Put(buf)
		}
	}()
	buf.WriteByte('[')
	if len(sts) > 0 {
		b, err := a.loadStatusBatchWith(r.Context(), viewer, sts, pre)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		n := 0
		for _, st := range sts {
			mark := buf.Len()
			if n > 0 {
				buf.WriteByte(',')
			}
			ok, err := a.appendStatus(buf, enc, b, st)
			if err != nil {
				return err
			}
			if !ok {
				buf.Truncate(mark)
				continue
			}
			n++
		}
	}
	buf.WriteString("]\n")
	if beforeWrite != nil {
		beforeWrite()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.Bytes())
	return nil
}
