package nodeinfo_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/herd-social/herd/federation/nodeinfo"
)

func ExampleNewHandler() {
	provider := nodeinfo.ProviderFunc(func(ctx context.Context) (*nodeinfo.NodeInfo, error) {
		return &nodeinfo.NodeInfo{
			Software:          nodeinfo.Software{Name: "herd", Version: "0.1.0", Repository: "https://github.com/herd-social/herd"},
			OpenRegistrations: false,
			Usage:             nodeinfo.Usage{Users: nodeinfo.Users{Total: 1, ActiveMonth: 1, ActiveHalfyear: 1}, LocalPosts: 7},
		}, nil
	})
	h := nodeinfo.NewHandler(provider, "https://social.example")

	for _, path := range []string{"/.well-known/nodeinfo", "/nodeinfo/2.1"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		body, _ := io.ReadAll(rec.Body)
		fmt.Println(rec.Header().Get("Content-Type"))
		fmt.Println(string(body))
	}
	// Output:
	// application/json; charset=utf-8
	// {"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"https://social.example/nodeinfo/2.0"},{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.1","href":"https://social.example/nodeinfo/2.1"}]}
	// application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"
	// {"version":"2.1","software":{"name":"herd","version":"0.1.0","repository":"https://github.com/herd-social/herd"},"protocols":["activitypub"],"services":{"inbound":[],"outbound":[]},"openRegistrations":false,"usage":{"users":{"total":1,"activeMonth":1,"activeHalfyear":1},"localPosts":7},"metadata":{}}
}

func ExampleClient_Fetch() {
	var peer *httptest.Server
	peer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		nodeinfo.NewHandler(nodeinfo.ProviderFunc(func(ctx context.Context) (*nodeinfo.NodeInfo, error) {
			return &nodeinfo.NodeInfo{Software: nodeinfo.Software{Name: "mastodon", Version: "4.5.0"}}, nil
		}), peer.URL).ServeHTTP(w, r)
	}))
	defer peer.Close()

	// Local testing mode; in production pass a federation/transport
	// client's HTTPClient() and leave AllowHTTP off.
	client := nodeinfo.NewClient(peer.Client(), &nodeinfo.ClientOptions{AllowHTTP: true})
	ni, err := client.Fetch(context.Background(), peer.Listener.Addr().String())
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	fmt.Println(ni.Version, ni.Software.Name, ni.Software.Version)
	// Output: 2.1 mastodon 4.5.0
}
