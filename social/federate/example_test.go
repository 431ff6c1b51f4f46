package federate_test

import (
	"fmt"

	"github.com/herd-social/herd/social/federate"
)

func ExampleSanitizer() {
	z := federate.NewSanitizer()
	fmt.Println(z.HTML(`<p>Hi <script>alert(1)</script><a href="javascript:alert(1)">x</a> <a href="https://example.com/" onclick="steal()">link</a></p>`))
	fmt.Println(z.Text(`<b>Spoiler</b> &amp; more`))
	// Output:
	// <p>Hi x <a href="https://example.com/" rel="nofollow noreferrer noopener" target="_blank">link</a></p>
	// Spoiler & more
}
