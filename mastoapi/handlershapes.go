package mastoapi

import (
	"context"
	"net/http"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

// This file holds the shapes that many handlers share: a service call on
// one of the caller's records named by the path's {id}, and lists of
// records converted one by one to API entities.

// ownedCall is a service call on the record id that owner holds.
type ownedCall[T any] func(ctx context.Context, owner *storage.Account, id storage.ID) (T, error)

// serveOwned calls call on the caller's record named by the path's {id}
// and answers with the entity conv makes of the result.
func serveOwned[T, E any](w http.ResponseWriter, r *http.Request, call ownedCall[T], conv func(T) E) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := call(r.Context(), AuthOf(r).Account, id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, conv(v))
	return nil
}

// serveOwnedEach is serveOwned for a call that gives a list: it answers
// with the array of the entities conv makes of its items.
func serveOwnedEach[T, E any](w http.ResponseWriter, r *http.Request, call ownedCall[[]T], conv func(T) E) error {
	return serveOwned(w, r, call, func(vs []T) []E { return mapEach(vs, conv) })
}

// deleteOwned calls del on the caller's record named by the path's {id}
// and answers with an empty object.
func deleteOwned(w http.ResponseWriter, r *http.Request, del func(ctx context.Context, owner *storage.Account, id storage.ID) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := del(r.Context(), AuthOf(r).Account, id); err != nil {
		return err
	}
	return emptyObject(w, r)
}

// mapEach converts every item of in; the result is never nil, so that it
// renders as [] when in is empty.
func mapEach[T, E any](in []T, conv func(T) E) []E {
	out := make([]E, 0, len(in))
	for _, v := range in {
		out = append(out, conv(v))
	}
	return out
}

// writeEach answers with the array of the entities conv makes of in.
func writeEach[T, E any](w http.ResponseWriter, in []T, conv func(T) E) error {
	WriteJSON(w, http.StatusOK, mapEach(in, conv))
	return nil
}

// writePaged answers with the array of the entities conv makes of a page
// of records, with the pagination links of their cursors.
func writePaged[T, E any](a *API, w http.ResponseWriter, r *http.Request, in []T, limit int, conv func(T) E, cursor func(T) storage.ID) error {
	return writeRendered(a, w, r, in, limit, cursor, mapEach(in, conv))
}

// writeRendered answers with out, the entities already rendered of a page
// of records in, with the pagination links of their cursors.
func writeRendered[T any](a *API, w http.ResponseWriter, r *http.Request, in []T, limit int, cursor func(T) storage.ID, out any) error {
	setPageLinksOf(a, w, r, in, limit, cursor)
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// setPageLinksOf sets the Link header of a page of records in, whose
// pagination cursors cursor gives (see SetPageLinks).
func setPageLinksOf[T any](a *API, w http.ResponseWriter, r *http.Request, in []T, limit int, cursor func(T) storage.ID) {
	a.SetPageLinks(w, r, mapEach(in, cursor), limit)
}

// notificationID and statusID are the usual page cursors.
func notificationID(n *storage.Notification) storage.ID { return n.ID }

func statusID(st *storage.Status) storage.ID { return st.ID }

// accountCursor is the page cursor of an account listing's entry.
func accountCursor(e social.AccountEntry) storage.ID { return e.Cursor }
