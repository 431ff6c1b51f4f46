package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/storage"
)

// MediaAttachment is Mastodon's MediaAttachment entity.
type MediaAttachment struct {
	ID               string              `json:"id"`
	Type             string              `json:"type"`
	URL              *string             `json:"url"`
	PreviewURL       *string             `json:"preview_url"`
	RemoteURL        *string             `json:"remote_url"`
	PreviewRemoteURL *string             `json:"preview_remote_url"`
	TextURL          *string             `json:"text_url"`
	Meta             MediaAttachmentMeta `json:"meta"`
	Description      *string             `json:"description"`
	Blurhash         *string             `json:"blurhash"`
}

// MediaAttachmentMeta is the meta object of a MediaAttachment: original
// and small renditions, duration details and the focal point.
type MediaAttachmentMeta struct {
	storage.MediaMeta
	Focus *storage.MediaFocus `json:"focus,omitempty"`
}

// MediaToAPI converts a stored attachment to the MediaAttachment entity;
// url maps a blob key to its public URL. url and preview_url are null
// while the attachment is processing; a remote attachment whose files are
// not cached points to its origin.
func MediaToAPI(m *storage.MediaAttachment, url func(key string) string) *MediaAttachment {
	out := &MediaAttachment{
		ID:          m.ID.String(),
		Type:        string(m.Type),
		RemoteURL:   strPtr(m.RemoteURL),
		Description: strPtr(m.Description),
		Blurhash:    strPtr(m.Blurhash),
		Meta:        MediaAttachmentMeta{MediaMeta: m.Meta},
	}
	if !m.Type.Valid() {
		out.Type = string(storage.MediaUnknown)
	}
	if m.State == storage.MediaReady || m.RemoteURL != "" {
		if m.FileKey != "" {
			out.URL = strPtr(url(m.FileKey))
		} else {
			out.URL = strPtr(m.RemoteURL)
		}
		if m.PreviewKey != "" {
			out.PreviewURL = strPtr(url(m.PreviewKey))
		}
	}
	switch m.Type {
	case storage.MediaImage, storage.MediaGIFV, storage.MediaVideo:
		out.Meta.Focus = &storage.MediaFocus{X: m.FocusX, Y: m.FocusY}
	}
	return out
}

// mediaURL maps a blob key to its URL: through Options.Media when set,
// else the server's /media/ path.
func (a *API) mediaURL(key string) string {
	if a.media != nil {
		return a.media.URL(key)
	}
	return a.urls.Media(key)
}

// Errors of the media endpoints.
var (
	errMediaUnavailable = NewError(http.StatusUnprocessableEntity, "Media uploads are not available")
	errMediaNotReady    = NewError(http.StatusUnprocessableEntity, "Cannot attach files that have not finished processing. Try again in a moment!")
	errMediaFailed      = NewError(http.StatusUnprocessableEntity, "Error processing thumbnail for uploaded media")
)

// mediaMaxBody is the body limit of upload routes: the largest file the
// service accepts plus room for the multipart framing and other fields.
func (a *API) mediaMaxBody() int64 {
	if a.media == nil {
		return 0
	}
	l := a.media.Limits()
	return max(l.ImageSizeLimit, l.VideoSizeLimit) + 1<<20
}

// registerMediaRoutes declares the media endpoints.
func (a *API) registerMediaRoutes() {
	scopes := []string{"write:media"}
	upload := RouteOptions{Auth: AuthUser, Scopes: scopes, MaxBody: a.mediaMaxBody()}
	const one = "/api/v1/media/{id:[0-9]+}"
	a.Handle(http.MethodPost, "/api/v2/media", upload, a.uploadMedia(false))
	a.Handle(http.MethodPost, "/api/v1/media", upload, a.uploadMedia(true))
	a.Handle(http.MethodGet, one, RouteOptions{Auth: AuthUser, Scopes: scopes}, a.showMedia)
	a.Handle(http.MethodPut, one, RouteOptions{Auth: AuthUser, Scopes: scopes}, a.updateMedia)
	a.registerProfileMediaRoutes()
}

// mediaError maps the errors of the media service to API errors.
func mediaError(err error) error {
	switch {
	case errors.Is(err, media.ErrTooLarge):
		return validationError("File size too large (" + strings.TrimPrefix(err.Error(), "media: ") + ")")
	case media.IsInputError(err), errors.Is(err, media.ErrInvalidInput):
		return validationError(capitalize(strings.TrimPrefix(err.Error(), "media: ")))
	case errors.Is(err, storage.ErrNotFound):
		return ErrRecordNotFound
	}
	return err
}

// parseFocus reads a focal point "x,y", each in [-1, 1].
func parseFocus(s string) (storage.MediaFocus, error) {
	bad := validationError("Focus must be two numbers between -1 and 1, as \"x,y\"")
	xs, ys, ok := strings.Cut(strings.TrimSpace(s), ",")
	if !ok {
		return storage.MediaFocus{}, bad
	}
	x, err1 := strconv.ParseFloat(strings.TrimSpace(xs), 64)
	y, err2 := strconv.ParseFloat(strings.TrimSpace(ys), 64)
	if err1 != nil || err2 != nil || math.IsNaN(x) || math.IsNaN(y) || x < -1 || x > 1 || y < -1 || y > 1 {
		return storage.MediaFocus{}, bad
	}
	return storage.MediaFocus{X: x, Y: y}, nil
}

// v1UploadWait bounds how long POST /api/v1/media waits for processing.
const v1UploadWait = 60 * time.Second

// uploadMedia serves POST /api/v2/media (v1 false: 200 when processed,
// 202 while processing) and POST /api/v1/media (v1 true: waits for the
// processing, up to v1UploadWait, then answers 200 with what is there).
func (a *API) uploadMedia(v1 bool) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if a.media == nil {
			return errMediaUnavailable
		}
		au, p := AuthOf(r), ParamsOf(r)
		fh := p.File("file")
		if fh == nil {
			return fieldError("file", "can't be blank")
		}
		var focus storage.MediaFocus
		if s := p.String("focus"); strings.TrimSpace(s) != "" {
			var err error
			if focus, err = parseFocus(s); err != nil {
				return err
			}
		}
		f, err := fh.Open()
		if err != nil {
			return fmt.Errorf("media: open upload: %w", err)
		}
		defer f.Close()
		m, err := a.media.Upload(r.Context(), au.Account.ID, f, fh.Filename, p.String("description"), focus)
		if err != nil {
			return mediaError(err)
		}
		if v1 && m.State == storage.MediaProcessing {
			if m, err = a.waitMedia(r.Context(), m); err != nil {
				return err
			}
		}
		switch m.State {
		case storage.MediaFailed:
			return errMediaFailed
		case storage.MediaProcessing:
			if !v1 {
				WriteJSON(w, http.StatusAccepted, MediaToAPI(m, a.mediaURL))
				return nil
			}
		}
		WriteJSON(w, http.StatusOK, MediaToAPI(m, a.mediaURL))
		return nil
	}
}

// waitMedia polls an attachment until it leaves processing, the request
// ends or v1UploadWait passes; it returns the attachment as it then is.
func (a *API) waitMedia(ctx context.Context, m *storage.MediaAttachment) (*storage.MediaAttachment, error) {
	ctx, cancel := context.WithTimeout(ctx, v1UploadWait)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for m.State == storage.MediaProcessing {
		select {
		case <-ctx.Done():
			return m, nil
		case <-tick.C:
		}
		cur, err := a.media.Get(ctx, m.ID)
		if err != nil {
			if ctx.Err() != nil {
				return m, nil
			}
			return nil, mediaError(err)
		}
		m = cur
	}
	return m, nil
}

// ownMedia loads the viewer's attachment from the {id} path segment;
// another account's is not found.
func (a *API) ownMedia(r *http.Request) (*storage.MediaAttachment, error) {
	if a.media == nil {
		return nil, errMediaUnavailable
	}
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	m, err := a.media.Get(r.Context(), id)
	if err != nil {
		return nil, mediaError(err)
	}
	if m.AccountID != AuthOf(r).Account.ID {
		return nil, ErrRecordNotFound
	}
	return m, nil
}

// writeMedia answers an attachment: 206 while processing, 200 when ready.
func (a *API) writeMedia(w http.ResponseWriter, m *storage.MediaAttachment) error {
	switch m.State {
	case storage.MediaFailed:
		return errMediaFailed
	case storage.MediaProcessing:
		WriteJSON(w, http.StatusPartialContent, MediaToAPI(m, a.mediaURL))
		return nil
	}
	WriteJSON(w, http.StatusOK, MediaToAPI(m, a.mediaURL))
	return nil
}

func (a *API) showMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := a.ownMedia(r)
	if err != nil {
		return err
	}
	return a.writeMedia(w, m)
}

func (a *API) updateMedia(w http.ResponseWriter, r *http.Request) error {
	m, err := a.ownMedia(r)
	if err != nil {
		return err
	}
	p := ParamsOf(r)
	var desc *string
	if s, ok := p.Lookup("description"); ok {
		desc = &s
	}
	var focus *storage.MediaFocus
	if s, ok := p.Lookup("focus"); ok && strings.TrimSpace(s) != "" {
		f, err := parseFocus(s)
		if err != nil {
			return err
		}
		focus = &f
	}
	if desc == nil && focus == nil {
		return a.writeMedia(w, m)
	}
	m, err = a.media.Update(r.Context(), AuthOf(r).Account.ID, m.ID, desc, focus)
	if err != nil {
		return mediaError(err)
	}
	return a.writeMedia(w, m)
}

// checkStatusMedia checks that the attachments ids may be attached to a
// status of account: each exists, belongs to account, is processed and is
// unattached or attached to statusID already (0 for a new status).
func (a *API) checkStatusMedia(ctx context.Context, account *storage.Account, ids []storage.ID, statusID storage.ID) error {
	if len(ids) == 0 {
		return nil
	}
	ms, err := a.store.MediaAttachments().GetMany(ctx, ids)
	if err != nil {
		return fmt.Errorf("load media attachments: %w", err)
	}
	byID := make(map[storage.ID]*storage.MediaAttachment, len(ms))
	for _, m := range ms {
		byID[m.ID] = m
	}
	for _, id := range ids {
		m := byID[id]
		if m == nil || m.AccountID != account.ID || (m.StatusID != 0 && m.StatusID != statusID) {
			return validationError("Media attachments are invalid")
		}
	}
	for _, id := range ids {
		if byID[id].State != storage.MediaReady {
			return errMediaNotReady
		}
	}
	return nil
}

// loadMedia renders the attachments of sts (and of nothing else) with one
// query, keyed by ID.
func (a *API) loadMedia(ctx context.Context, sts []*storage.Status) (map[storage.ID]json.RawMessage, error) {
	var ids []storage.ID
	for _, st := range sts {
		ids = append(ids, st.MediaIDs...)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ms, err := a.store.MediaAttachments().GetMany(ctx, unique(ids))
	if err != nil {
		return nil, fmt.Errorf("render: media attachments: %w", err)
	}
	out := make(map[storage.ID]json.RawMessage, len(ms))
	for _, m := range ms {
		b, err := json.Marshal(MediaToAPI(m, a.mediaURL))
		if err != nil {
			return nil, fmt.Errorf("render: media attachment %s: %w", m.ID, err)
		}
		out[m.ID] = b
	}
	return out, nil
}

// statusMedia lists the rendered attachments of st in order.
func statusMedia(st *storage.Status, loaded map[storage.ID]json.RawMessage) []json.RawMessage {
	if len(st.MediaIDs) == 0 {
		return nil
	}
	out := make([]json.RawMessage, 0, len(st.MediaIDs))
	for _, id := range st.MediaIDs {
		if b, ok := loaded[id]; ok {
			out = append(out, b)
		}
	}
	return out
}
