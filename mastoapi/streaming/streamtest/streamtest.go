// Package streamtest composes a small streaming server — a store, the
// social core, a timeline.Hub, the streaming Publisher and Handler, and a
// minimal POST /api/v1/statuses — for tests and the load harness
// (bench/streaming), until the full API server mounts the streaming
// handler. It is not a production server.
package streamtest

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/herd-social/herd/mastoapi/streaming"
	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/timeline"
)

// Server is a streaming server over a store and a hub.
type Server struct {
	Store     storage.Store
	Hub       timeline.Hub
	URLs      *social.URLs
	Service   *social.Service
	Publisher *streaming.Publisher
	Handler   *streaming.Handler
	mux       *http.ServeMux
}

// Options tunes New.
type Options struct {
	// PublicURL is the server's base URL (default https://herd.example).
	PublicURL string
	// Streaming tunes the Handler. Lists defaults to the Service, so that
	// owners may stream their lists.
	Streaming *streaming.Options
}

// New composes a Server. The caller owns store and hub.
func New(store storage.Store, hub timeline.Hub, opts *Options) (*Server, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.PublicURL == "" {
		o.PublicURL = "https://herd.example"
	}
	urls, err := social.NewURLs(o.PublicURL)
	if err != nil {
		return nil, err
	}
	pub := streaming.NewPublisher(hub, store, nil)
	svc := social.New(store, urls, &social.Options{Events: pub})
	var so streaming.Options
	if o.Streaming != nil {
		so = *o.Streaming
	}
	if so.Lists == nil {
		so.Lists = svc
	}
	s := &Server{Store: store, Hub: hub, URLs: urls, Service: svc, Publisher: pub,
		Handler: streaming.New(hub, streaming.StoreAuthenticator{Store: store}, streaming.NewStoreRenderer(svc), &so),
		mux:     http.NewServeMux()}
	s.mux.Handle(streaming.DefaultPrefix, s.Handler)
	s.mux.Handle(streaming.DefaultPrefix+"/", s.Handler)
	s.mux.HandleFunc("POST /api/v1/statuses", s.postStatus)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// CreateAccount creates a local account with an approved, confirmed user
// (no key pair).
func (s *Server) CreateAccount(ctx context.Context, username string) (*storage.Account, error) {
	a := &storage.Account{Username: username, URI: s.URLs.Actor(username), URL: s.URLs.Profile(username),
		InboxURI: s.URLs.Inbox(username), Discoverable: true, Indexable: true}
	if err := s.Store.Accounts().Create(ctx, a); err != nil {
		return nil, fmt.Errorf("create account %s: %w", username, err)
	}
	now := time.Now()
	u := &storage.User{AccountID: a.ID, Email: username + "@" + s.URLs.Host(), Role: storage.RoleUser,
		Approved: true, ConfirmedAt: &now, DefaultVisibility: storage.VisibilityPublic}
	if err := s.Store.Users().Create(ctx, u); err != nil {
		return nil, fmt.Errorf("create user %s: %w", username, err)
	}
	return a, nil
}

// CreateToken issues an access token for acct (nil: an app-only token)
// with the given scopes (default "read write").
func (s *Server) CreateToken(ctx context.Context, acct *storage.Account, scopes ...string) (string, error) {
	if len(scopes) == 0 {
		scopes = []string{"read", "write"}
	}
	app := &storage.Application{Name: "streamtest", Scopes: scopes, ClientID: secret(), ClientSecretHash: secret()}
	if err := s.Store.OAuth().CreateApplication(ctx, app); err != nil {
		return "", fmt.Errorf("create application: %w", err)
	}
	tok := secret()
	t := &storage.Token{TokenHash: streaming.HashToken(tok), ApplicationID: app.ID, Scopes: scopes}
	if acct != nil {
		t.AccountID = acct.ID
	}
	if err := s.Store.OAuth().CreateToken(ctx, t); err != nil {
		return "", fmt.Errorf("create token: %w", err)
	}
	return tok, nil
}

// RevokeToken revokes a token issued by CreateToken.
func (s *Server) RevokeToken(ctx context.Context, token string) error {
	return s.Store.OAuth().RevokeToken(ctx, streaming.HashToken(token))
}

func secret() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// postStatus is a minimal POST /api/v1/statuses: form or JSON "status"
// and "visibility"; it answers {"id": "…"}.
func (s *Server) postStatus(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		http.Error(w, `{"error":"The access token is invalid"}`, http.StatusUnauthorized)
		return
	}
	acct, _, err := streaming.StoreAuthenticator{Store: s.Store}.Authenticate(r.Context(), tok)
	if err != nil || acct == nil {
		http.Error(w, `{"error":"The access token is invalid"}`, http.StatusUnauthorized)
		return
	}
	var in struct {
		Status     string `json:"status"`
		Visibility string `json:"visibility"`
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
			http.Error(w, `{"error":"bad JSON"}`, http.StatusBadRequest)
			return
		}
	} else {
		in.Status, in.Visibility = r.FormValue("status"), r.FormValue("visibility")
	}
	st, err := s.Service.PostStatus(r.Context(), acct, social.PostInput{Text: in.Status, Visibility: storage.Visibility(in.Visibility)})
	if errors.Is(err, social.ErrInvalid) {
		http.Error(w, `{"error":"invalid status"}`, http.StatusUnprocessableEntity)
		return
	}
	if err != nil {
		http.Error(w, `{"error":"internal error"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": st.ID.String()})
}
