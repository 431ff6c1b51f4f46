package mastoapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/herd-social/herd/media"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// Avatars and headers (update_credentials, DELETE /api/v1/profile/…) and
// DELETE /api/v1/media/:id. Profile images are media attachments of
// purpose avatar/header processed by media.Service.SetProfileImage; the
// account keeps their URLs and, in Extra, the attachment IDs and the still
// avatar's URL.

// avatarStatic is the Account entity's avatar_static: the still version of
// an animated avatar, else the avatar.
func avatarStatic(a *storage.Account) string {
	if raw, ok := a.Extra[media.ExtraAvatarStatic]; ok {
		var s string
		if json.Unmarshal(raw, &s) == nil && s != "" {
			return s
		}
	}
	return a.AvatarURL
}

// profileRoute raises the body limit of a route that takes an avatar and a
// header.
func (a *API) profileRoute(o RouteOptions) RouteOptions {
	if a.media != nil {
		o.MaxBody = 2*a.media.Limits().ImageSizeLimit + 1<<20
	}
	return o
}

// registerProfileMediaRoutes declares DELETE /api/v1/media/:id and
// DELETE /api/v1/profile/avatar|header.
func (a *API) registerProfileMediaRoutes() {
	a.Handle(http.MethodDelete, "/api/v1/media/{id:[0-9]+}", RouteOptions{Auth: AuthUser, Scopes: []string{"write:media"}}, a.deleteMedia)
	acct := RouteOptions{Auth: AuthUser, Scopes: []string{"write:accounts"}}
	a.Handle(http.MethodDelete, "/api/v1/profile/avatar", acct, a.deleteProfileImage(storage.MediaAvatar))
	a.Handle(http.MethodDelete, "/api/v1/profile/header", acct, a.deleteProfileImage(storage.MediaHeader))
}

// deleteMedia is DELETE /api/v1/media/:id: an unattached upload of the
// viewer, its files too; 422 once attached to a status.
func (a *API) deleteMedia(w http.ResponseWriter, r *http.Request) error {
	if a.media == nil {
		return errMediaUnavailable
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = a.media.DeleteUnattached(r.Context(), AuthOf(r).Account.ID, id)
	switch {
	case errors.Is(err, media.ErrAttached):
		return validationError("Media attachment is currently used by a status")
	case errors.Is(err, storage.ErrNotFound):
		return ErrRecordNotFound
	case err != nil:
		return err
	}
	return emptyObject(w, r)
}

// profileUpdate is the avatar and header part of an update_credentials
// call: the new attachments, stored before the profile is, and the ones
// they replace.
type profileUpdate struct {
	api     *API
	created []*storage.MediaAttachment
	old     []storage.ID
}

// profileImages processes the avatar and header files of an
// update_credentials request and points in at them. A string value (not
// a file) is a 422.
func (a *API) profileImages(r *http.Request, in *social.ProfileInput) (*profileUpdate, error) {
	p := ParamsOf(r)
	u := &profileUpdate{api: a}
	for _, field := range []string{"avatar", "header"} {
		fh := p.File(field)
		if fh == nil {
			if _, ok := p.Lookup(field); ok && p.String(field) != "" {
				u.done(r.Context(), errors.New("abandoned"))
				return nil, fieldError(field, "must be an image file")
			}
			continue
		}
		if a.media == nil {
			u.done(r.Context(), errors.New("abandoned"))
			return nil, errMediaUnavailable
		}
		purpose := storage.MediaPurpose(field)
		f, err := fh.Open()
		if err != nil {
			u.done(r.Context(), err)
			return nil, fmt.Errorf("open %s upload: %w", field, err)
		}
		m, err := a.media.SetProfileImage(r.Context(), AuthOf(r).Account.ID, purpose, f)
		f.Close()
		if err != nil {
			u.done(r.Context(), err)
			return nil, mediaError(err)
		}
		u.created = append(u.created, m)
		u.set(in, m)
	}
	if len(u.created) > 0 {
		cur, err := a.store.Accounts().Get(r.Context(), AuthOf(r).Account.ID)
		if err != nil {
			u.done(r.Context(), err)
			return nil, err
		}
		for _, m := range u.created {
			if old := media.ProfileMediaID(cur, media.ProfileMediaKey(m.Purpose)); old != 0 {
				u.old = append(u.old, old)
			}
		}
	}
	return u, nil
}

// set points the profile input at the profile image m (nil: back to the
// default image) of purpose.
func (u *profileUpdate) set(in *social.ProfileInput, m *storage.MediaAttachment) {
	if in.Extra == nil {
		in.Extra = storage.Extra{}
	}
	url, static, id := "", json.RawMessage("null"), json.RawMessage("null")
	if m != nil {
		url = u.api.mediaURL(m.FileKey)
		static = mustJSONString(u.api.mediaURL(m.PreviewKey))
		id = mustJSONString(m.ID.String())
	}
	if m == nil || m.Purpose == storage.MediaAvatar {
		in.AvatarURL = &url
		in.Extra[media.ExtraAvatarStatic] = static
		in.Extra[media.ExtraAvatarMedia] = id
	}
	if m != nil && m.Purpose == storage.MediaHeader {
		in.HeaderURL = &url
		in.Extra[media.ExtraHeaderMedia] = id
	}
}

func mustJSONString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// done finishes the update: when the profile was stored (err nil) the
// replaced images are deleted, else the new ones are.
func (u *profileUpdate) done(ctx context.Context, err error) {
	if u == nil || u.api.media == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	if err != nil {
		for _, m := range u.created {
			if derr := u.api.media.Delete(ctx, m); derr != nil {
				u.api.log.Warn("mastoapi: delete profile image of a failed update", "attachment", m.ID, "err", derr)
			}
		}
		return
	}
	for _, id := range u.old {
		if m, gerr := u.api.media.Get(ctx, id); gerr == nil {
			if derr := u.api.media.Delete(ctx, m); derr != nil {
				u.api.log.Warn("mastoapi: delete replaced profile image", "attachment", id, "err", derr)
			}
		}
	}
}

// deleteProfileImage is DELETE /api/v1/profile/avatar and /header: the
// default image again; answers the CredentialAccount.
func (a *API) deleteProfileImage(purpose storage.MediaPurpose) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		au := AuthOf(r)
		cur, err := a.store.Accounts().Get(r.Context(), au.Account.ID)
		if err != nil {
			return err
		}
		key := media.ProfileMediaKey(purpose)
		in := social.ProfileInput{Extra: storage.Extra{key: json.RawMessage("null")}}
		empty := ""
		if purpose == storage.MediaAvatar {
			in.AvatarURL = &empty
			in.Extra[media.ExtraAvatarStatic] = json.RawMessage("null")
		} else {
			in.HeaderURL = &empty
		}
		acct, err := a.svc.UpdateProfile(r.Context(), au.Account, in)
		if err != nil {
			return err
		}
		if old := media.ProfileMediaID(cur, key); old != 0 && a.media != nil {
			(&profileUpdate{api: a, old: []storage.ID{old}}).done(r.Context(), nil)
		}
		u, err := a.store.Users().GetByAccountID(r.Context(), acct.ID)
		if err != nil {
			return err
		}
		reqs, err := a.store.Follows().Requests(r.Context(), acct.ID, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, CredentialAccountToAPI(acct, u, int64(len(reqs)), a.urls))
		return nil
	}
}
