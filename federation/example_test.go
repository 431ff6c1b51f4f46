package federation_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/federation/transport"
	"github.com/herd-social/herd/federation/webfinger"
	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
)

// Serve an actor and accept a Follow: a store, a resolver, an inbox whose
// Follow handler records the follow and answers with an Accept through the
// Sender, and the handlers that make the actor discoverable.
func Example_serveActorAndAcceptFollow() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "herd-example")
	defer os.RemoveAll(dir)
	store, err := sqlite.Open(ctx, filepath.Join(dir, "herd.db"), nil)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	urls, _ := federation.NewURLs("https://bot.example")
	instance, instanceSigner, err := federation.EnsureInstanceActor(ctx, store.Accounts(), urls)
	if err != nil {
		log.Fatal(err)
	}
	key, _ := signature.GenerateRSAKey(2048)
	pub, _ := signature.EncodePublicKeyPEM(&key.PublicKey)
	bot := &storage.Account{Username: "bot", URI: urls.Actor("bot"), InboxURI: urls.Inbox("bot"),
		FollowersURI: urls.Followers("bot"), SharedInboxURI: urls.SharedInbox(), ActorType: storage.ActorService,
		PublicKeyID: urls.PublicKey("bot"), PublicKeyPEM: string(pub), PrivateKeyPEM: string(signature.EncodePKCS1PrivateKeyPEM(key))}
	if err := store.Accounts().Create(ctx, bot); err != nil {
		log.Fatal(err)
	}

	client := transport.New(nil) // https only, public addresses only
	resolver := federation.NewResolver(store.Accounts(), client, instanceSigner, &federation.ResolverOptions{LocalHost: urls.Host()})
	deliverer := federation.NewDeliverer(store.Deliveries(), client, federation.NewAccountSigners(store.Accounts(), instanceSigner), nil)
	sender := federation.NewSender(deliverer, resolver, store.Follows(), nil)

	handlers := &federation.Handlers{}
	federation.On(handlers, func(ctx context.Context, in *federation.Incoming[federation.Follow]) error {
		me, err := store.Accounts().GetByURI(ctx, in.Activity.Followee())
		if err != nil || !me.Local() {
			return federation.ErrReject("no such local actor")
		}
		if err := store.Follows().Create(ctx, &storage.Follow{AccountID: in.Signer.ID, TargetAccountID: me.ID, URI: in.Activity.ID()}); err != nil {
			return err
		}
		accept := &ap.Object{ID: me.URI + "#accepts/" + store.NewID().String(), Type: ap.TypeAccept,
			Actor: ap.IRIRef(me.URI), Object: ap.Refs{ap.Embed(in.Activity.AP)}, To: []string{in.Signer.URI}}
		return sender.Send(ctx, me, accept)
	})

	mux := http.NewServeMux()
	federation.NewActorHandler(store.Accounts(), urls, &federation.ActorHandlerOptions{InstanceActor: instance}).Mount(mux)
	mux.Handle("POST /inbox", federation.NewInbox(resolver, handlers, &federation.InboxOptions{Log: store.InboxLog()}))
	mux.Handle("POST /users/{name}/inbox", federation.NewInbox(resolver, handlers, &federation.InboxOptions{
		Log: store.InboxLog(), Recipient: federation.RecipientByPathValue(store.Accounts(), "name")}))
	mux.Handle("/.well-known/", webfinger.NewHandler(federation.NewWebFingerResolver(store.Accounts(), urls), nil))
	// In a real program: go deliverer.Run(ctx); http.ListenAndServe(":8080", mux)

	r := httptest.NewRequest(http.MethodGet, "https://bot.example/users/bot", nil)
	r.Header.Set("Accept", "application/activity+json")
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	var actor struct{ Type, PreferredUsername, Inbox string }
	_ = json.Unmarshal(w.Body.Bytes(), &actor)
	fmt.Println(w.Code, actor.Type, actor.PreferredUsername, actor.Inbox)
	// Output: 200 Service bot https://bot.example/users/bot/inbox
}
