package mastoapi_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/herd-social/herd/mastoapi"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage/sqlite"
)

// ExampleNew serves the Mastodon API of a server on an SQLite database.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "herd-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	urls, err := social.NewURLs("https://herd.example")
	if err != nil {
		log.Fatal(err)
	}
	api := mastoapi.New(st, social.New(st, urls, nil), urls, &mastoapi.Options{
		Instance: mastoapi.InstanceInfo{Title: "My Herd", Registrations: mastoapi.RegistrationsApproval},
	})

	rec := httptest.NewRecorder()
	api.ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/preferences", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, string(body))
	// Output: 401 {"error":"The access token is invalid"}
}

// ExampleAPI_Handle adds an endpoint with the API's parameter parsing,
// authentication, scopes and error rendering.
func ExampleAPI_Handle() {
	urls, _ := social.NewURLs("https://herd.example")
	api := mastoapi.New(nil, nil, urls, nil)
	api.Handle("GET", "/api/v1/echo", mastoapi.RouteOptions{Auth: mastoapi.AuthNone},
		func(w http.ResponseWriter, r *http.Request) error {
			p := mastoapi.ParamsOf(r)
			if !p.Has("types") {
				return mastoapi.NewError(422, "Validation failed: types is required")
			}
			mastoapi.WriteJSON(w, 200, map[string]any{"types": p.Strings("types")})
			return nil
		})
	for _, target := range []string{"/api/v1/echo?types[]=mention&types[]=follow", "/api/v1/echo"} {
		rec := httptest.NewRecorder()
		api.ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// 200 {"types":["mention","follow"]}
	// 422 {"error":"Validation failed: types is required"}
}
