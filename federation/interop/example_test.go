package interop_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/herd-social/herd/federation/interop"
)

// A Go test normally calls interop.StartPeer(t), which skips the test when
// Node.js is missing and stops the peer at cleanup. Launch and Close do the
// same by hand, here to drive a Follow from one peer to another.
func ExampleLaunch() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := interop.Launch(ctx, nil)
	if err != nil {
		log.Fatal(err) // errors.Is(err, interop.ErrNodeUnavailable) without Node
	}
	defer a.Close()
	b, err := interop.Launch(ctx, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer b.Close()

	actor, err := a.Lookup(ctx, b.Handle) // WebFinger, then the actor document
	if err != nil {
		log.Fatal(err)
	}
	followID, err := a.Follow(ctx, actor.ID)
	if err != nil {
		log.Fatal(err)
	}
	for {
		accepts, err := a.Inbox(ctx, "Accept")
		if err != nil {
			log.Fatal(err)
		}
		if len(accepts) > 0 && accepts[0].Object == followID {
			fmt.Println("accepted, signature verified:", accepts[0].HTTPSignature.Verified)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
