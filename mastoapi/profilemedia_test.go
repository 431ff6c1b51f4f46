package mastoapi_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// patchImages sends update_credentials with image files.
func (e *env) patchImages(token string, files map[string][]byte, fields map[string]string) *http.Response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, b := range files {
		fw, err := mw.CreateFormFile(name, name+".png")
		require.NoError(e.t, err)
		_, err = fw.Write(b)
		require.NoError(e.t, err)
	}
	for k, v := range fields {
		require.NoError(e.t, mw.WriteField(k, v))
	}
	require.NoError(e.t, mw.Close())
	return e.do(request{method: http.MethodPatch, path: "/api/v1/accounts/update_credentials", body: &body, ctype: mw.FormDataContentType(), token: token})
}

func TestProfileImages(t *testing.T) {
	e := newMediaEnv(t)
	tok, acct := e.userToken("alice", "read write")
	mediaPrefix := e.urls.Media("")

	// Defaults: real URLs of the default images.
	me := e.getObj("/api/v1/accounts/verify_credentials", tok, http.StatusOK)
	require.Equal(t, e.urls.DefaultAvatar(), me["avatar"])
	require.Equal(t, e.urls.DefaultAvatar(), me["avatar_static"])

	resp := e.patchImages(tok, map[string][]byte{"avatar": testPNG(t, 900, 600), "header": testPNG(t, 3000, 3000)}, map[string]string{"display_name": "Alice"})
	requireStatus(t, resp, http.StatusOK)
	e.validate(resp)
	me = decode[obj](t, resp)
	require.Equal(t, "Alice", me["display_name"])
	avatar := me["avatar"].(string)
	require.True(t, strings.HasPrefix(avatar, mediaPrefix), avatar)
	require.True(t, strings.HasPrefix(me["avatar_static"].(string), mediaPrefix))
	require.True(t, strings.HasPrefix(me["header"].(string), mediaPrefix))
	// The files are served by the media handler in herd; here check the
	// records: cropped and resized.
	a, err := e.store.Accounts().Get(context.Background(), acct.ID)
	require.NoError(t, err)
	require.Equal(t, avatar, a.AvatarURL)

	// Replacing the avatar deletes the previous one.
	resp = e.patchImages(tok, map[string][]byte{"avatar": testPNG(t, 100, 100)}, nil)
	requireStatus(t, resp, http.StatusOK)
	me = decode[obj](t, resp)
	require.NotEqual(t, avatar, me["avatar"])

	// A bad image is a 422 and changes nothing.
	resp = e.patchImages(tok, map[string][]byte{"avatar": []byte("<svg onload=alert(1)>")}, map[string]string{"display_name": "Mallory"})
	requireStatus(t, resp, http.StatusUnprocessableEntity)
	me = e.getObj("/api/v1/accounts/verify_credentials", tok, http.StatusOK)
	require.Equal(t, "Alice", me["display_name"])
	msg := e.errorOf(http.MethodPatch, "/api/v1/accounts/update_credentials", tok, url.Values{"avatar": {"https://evil.example/a.png"}}, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "image file")

	// DELETE /api/v1/profile/avatar and header: the defaults again.
	out := e.call(http.MethodDelete, "/api/v1/profile/avatar", tok, nil, http.StatusOK).(obj)
	require.Equal(t, e.urls.DefaultAvatar(), out["avatar"])
	require.Equal(t, e.urls.DefaultAvatar(), out["avatar_static"])
	out = e.call(http.MethodDelete, "/api/v1/profile/header", tok, nil, http.StatusOK).(obj)
	require.Equal(t, e.urls.DefaultHeader(), out["header"])
	// Deleting again is fine.
	e.call(http.MethodDelete, "/api/v1/profile/avatar", tok, nil, http.StatusOK)
}

func TestDeleteMedia(t *testing.T) {
	e := newMediaEnv(t)
	tok, _ := e.userToken("alice", "read write")
	other, _ := e.userToken("bob", "read write")
	upload := func() string {
		resp := e.upload("/api/v2/media", tok, testPNG(t, 32, 32), nil)
		requireStatus(t, resp, http.StatusOK)
		return decode[obj](t, resp)["id"].(string)
	}
	free, used := upload(), upload()
	e.post(tok, "with media", "media_ids[]", used)

	requireStatus(t, e.do(request{method: http.MethodDelete, path: "/api/v1/media/" + free, token: other}), http.StatusNotFound)
	msg := e.errorOf(http.MethodDelete, "/api/v1/media/"+used, tok, nil, http.StatusUnprocessableEntity)
	require.Contains(t, msg, "used by a status")
	e.call(http.MethodDelete, "/api/v1/media/"+free, tok, nil, http.StatusOK)
	requireStatus(t, e.get("/api/v1/media/"+free, tok), http.StatusNotFound)
}
