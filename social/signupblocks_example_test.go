package social_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/herd-social/herd/social"
	"github.com/herd-social/herd/storage"
)

func ExampleCanonicalEmail() {
	fmt.Println(social.CanonicalEmail("J.Doe+newsletters@Example.COM"))
	fmt.Println(social.CanonicalEmailHash("jdoe@example.com") == social.CanonicalEmailHash("j.d.o.e+x@EXAMPLE.com"))
	// Output:
	// jdoe@example.com
	// true
}

func ExampleCompileIPBlocks() {
	rules := social.CompileIPBlocks([]*storage.IPBlock{
		{IP: "192.0.2.0/24", Severity: storage.IPSignUpRequiresApproval},
		{IP: "192.0.2.128/25", Severity: storage.IPNoAccess},
	})
	now := time.Now()
	fmt.Println(rules.Severity(netip.MustParseAddr("192.0.2.1"), now))
	fmt.Println(rules.Severity(netip.MustParseAddr("192.0.2.200"), now))
	fmt.Printf("%q\n", rules.Severity(netip.MustParseAddr("203.0.113.1"), now))
	// Output:
	// sign_up_requires_approval
	// no_access
	// ""
}
