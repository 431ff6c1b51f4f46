package moderation_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/herd-social/herd/ap"
	"github.com/herd-social/herd/moderation"
	"github.com/herd-social/herd/storage"
)

// A policy in a few lines: drop every post from bot accounts, and chain
// it after the built-ins a policy file asks for.
func ExamplePolicyFunc() {
	noBots := moderation.PolicyFunc(func(ctx context.Context, a *moderation.Activity) moderation.Decision {
		if a.Signer != nil && a.Signer.Bot && a.Type() == ap.TypeCreate {
			return moderation.Drop("bots are not welcome here")
		}
		return moderation.Accept()
	})
	cfg, err := moderation.ParseConfig(strings.NewReader("sensitive_keyword = spoiler\n"))
	if err != nil {
		panic(err)
	}
	chain := moderation.NewChain(append(cfg.Policies(nil), noBots)...)

	note := &ap.Object{ID: "https://remote.example/notes/1", Type: ap.TypeNote, Content: "<p>Spoiler: it was the butler</p>"}
	create := &ap.Object{ID: "https://remote.example/activities/1", Type: ap.TypeCreate,
		Actor: ap.IRIRef("https://remote.example/users/ann"), Object: ap.Refs{ap.Embed(note)}}
	ann := &storage.Account{Username: "ann", Domain: "remote.example"}

	d := chain.Decide(context.Background(), create, ann)
	fmt.Println(d.Verdict, d.Activity.Object.Obj().Sensitive)

	ann.Bot = true
	d = chain.Decide(context.Background(), create, ann)
	fmt.Println(d.Verdict, d.Reason)
	// Output:
	// accept true
	// drop bots are not welcome here
}
