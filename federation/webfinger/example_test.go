package webfinger_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/herd-social/herd/federation/webfinger"
)

func ExampleNewHandler() {
	resolver := webfinger.ResolverFunc(func(ctx context.Context, r webfinger.Resource) (*webfinger.JRD, error) {
		if !r.IsAcct() || r.User != "alice" || r.Host != "social.example" {
			return nil, webfinger.ErrNotFound
		}
		return &webfinger.JRD{
			Subject: r.String(),
			Links: []webfinger.Link{
				{Rel: webfinger.RelSelf, Type: webfinger.MediaTypeAS, Href: "https://social.example/users/alice"},
			},
		}, nil
	})
	h := webfinger.NewHandler(resolver, &webfinger.HandlerOptions{BaseURL: "https://social.example"})

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/webfinger?resource=acct:alice@social.example", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Access-Control-Allow-Origin"))
	fmt.Println(string(body))

	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/webfinger?resource=acct:bob@social.example", nil))
	fmt.Println(rec.Code)
	// Output:
	// 200 application/jrd+json; charset=utf-8 *
	// {"subject":"acct:alice@social.example","links":[{"rel":"self","type":"application/activity+json","href":"https://social.example/users/alice"}]}
	// 404
}

func ExampleClient_Lookup() {
	resolver := webfinger.ResolverFunc(func(ctx context.Context, r webfinger.Resource) (*webfinger.JRD, error) {
		return &webfinger.JRD{Subject: r.String(), Links: []webfinger.Link{
			{Rel: webfinger.RelSelf, Type: webfinger.MediaTypeAS, Href: "http://" + r.Host + "/users/" + r.User},
		}}, nil
	})
	peer := httptest.NewServer(webfinger.NewHandler(resolver, nil))
	defer peer.Close()

	// Local testing mode: plain http. In production pass a
	// federation/transport client's HTTPClient() and leave AllowHTTP off.
	client := webfinger.NewClient(peer.Client(), &webfinger.ClientOptions{AllowHTTP: true})
	jrd, err := client.Lookup(context.Background(), "@alice@"+peer.Listener.Addr().String())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(jrd.ActorURL() == peer.URL+"/users/alice")
	// Output: true
}
