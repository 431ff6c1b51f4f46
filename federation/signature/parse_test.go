package signature

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestParseCavage(t *testing.T) {
	cases := []struct {
		name, in  string
		keyID     string
		alg       string
		headers   string
		created   int64
		expires   int64
		sigPrefix string
	}{
		{
			name:    "mastodon",
			in:      `keyId="https://mastodon.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest content-type",signature="AQID"`,
			keyID:   "https://mastodon.example/users/alice#main-key",
			alg:     "rsa-sha256",
			headers: "(request-target) host date digest content-type",
		},
		{
			name:    "authorization scheme, spaces, mixed case",
			in:      `Signature keyId="k", Algorithm="HS2019", Headers="(Request-Target) Host (created)", created=1402170695, expires=1402170699.5, signature="AQID"`,
			keyID:   "k",
			alg:     "hs2019",
			headers: "(request-target) host (created)",
			created: 1402170695,
			expires: 1402170699,
		},
		{
			name:    "no headers means (created), unknown params ignored",
			in:      `keyId=k,signature="AQID",foo="bar"`,
			keyID:   "k",
			headers: "(created)",
		},
		{
			name:    "escaped quote, unpadded base64",
			in:      `keyId="a\"b",headers="date",signature="AQI"`,
			keyID:   `a"b`,
			headers: "date",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseCavage(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.KeyID != c.keyID || p.Algorithm != c.alg || strings.Join(p.Headers, " ") != c.headers {
				t.Errorf("got %+v", p)
			}
			if c.created != 0 && !p.Created.Equal(time.Unix(c.created, 0)) {
				t.Errorf("created %v", p.Created)
			}
			if c.expires != 0 && !p.Expires.Equal(time.Unix(c.expires, 0)) {
				t.Errorf("expires %v", p.Expires)
			}
			if len(p.Signature) == 0 {
				t.Error("no signature bytes")
			}
		})
	}
	bad := []string{
		"",
		"Signature ",
		`keyId="k"`,
		`signature="AQID"`,
		`keyId="k",signature="AQID",headers=""`,
		`keyId="k",signature="AQID",headers="` + strings.Repeat("a ", MaxCoveredComponents+1) + `"`,
		`keyId="k",signature="AQID",created=-5`,
		`keyId="k",signature="AQID",expires=1.x`,
		`keyId="k",signature="AQID",algorithm="a",algorithm="b"`,
		`keyId="k" junk,signature="AQID"`,
		`=x,keyId="k",signature="AQID"`,
	}
	for _, in := range bad {
		if _, err := ParseCavage(in); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q: err = %v, want ErrMalformed", in, err)
		}
	}
}

func TestParseRFC9421(t *testing.T) {
	sigs, err := ParseRFC9421(
		[]string{`a=("@method" "@target-uri" "content-digest");created=1700000000;expires=1700000300;keyid="https://x.example/k";alg="ed25519";nonce="n";tag="t"`, `b=("@authority" "signature";key="a" "example-dict";sf "x";bs "@query-param";name="q")`},
		[]string{`a=:AQID:, b=:BAUG:`},
	)
	if err != nil {
		t.Fatal(err)
	}
	if len(sigs) != 2 {
		t.Fatalf("%d signatures", len(sigs))
	}
	a, b := sigs[0], sigs[1]
	if a.Label != "a" || a.KeyID != "https://x.example/k" || a.Alg != "ed25519" || a.Nonce != "n" || a.Tag != "t" ||
		a.Created.Unix() != 1700000000 || a.Expires.Unix() != 1700000300 || string(a.Signature) != "\x01\x02\x03" {
		t.Errorf("a = %+v", a)
	}
	if !a.Covers("@method") || !a.Covers("content-digest") || a.Covers("date") {
		t.Error("Covers")
	}
	if a.SignatureParams() != `("@method" "@target-uri" "content-digest");created=1700000000;expires=1700000300;keyid="https://x.example/k";alg="ed25519";nonce="n";tag="t"` {
		t.Errorf("params %s", a.SignatureParams())
	}
	if len(b.Components) != 5 || b.Components[1].Key != "a" || !b.Components[2].SF || !b.Components[3].BS || b.Components[4].QueryName != "q" {
		t.Errorf("b = %+v", b.Components)
	}
	if b.Components[1].Identifier() != `"signature";key="a"` {
		t.Errorf("identifier %s", b.Components[1].Identifier())
	}
	bad := [][2]string{
		{``, `a=:AQID:`},
		{`a=("@method")`, ``},
		{`a="@method"`, `a=:AQID:`},
		{`a=(@method)`, `a=:AQID:`},
		{`a=(1 2)`, `a=:AQID:`},
		{`a=("@method";foo)`, `a=:AQID:`},
		{`a=("@method";key=1)`, `a=:AQID:`},
		{`a=("@method");keyid=1`, `a=:AQID:`},
		{`a=("@method");created=-1`, `a=:AQID:`},
		{`a=("@method")`, `a=:AQID:;x, a=(1)`},
		{`a=("@method")`, `a=::`},
		{strings.Repeat(`a=(), `, 3) + `b=(), c=(), d=(), e=(), f=(), g=(), h=(), i=()`, `a=:AQID:`},
	}
	for _, c := range bad {
		if _, err := ParseRFC9421([]string{c[0]}, []string{c[1]}); !errors.Is(err, ErrMalformed) {
			t.Errorf("%q / %q: err = %v, want ErrMalformed", c[0], c[1], err)
		}
	}
}

// TestSignatureBaseComponents covers the derived components and field
// parameters beyond the RFC's examples.
func TestSignatureBaseComponents(t *testing.T) {
	raw := "POST /path/%C3%BC?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&bar=two HTTP/1.1\r\n" +
		"Host: www.Example.com:443\r\n" +
		"Example-Dict:  a=1,    b=2;x=1;y=2,   c=(a   b   c)  \r\n" +
		"Example-Header: value, with, lots\r\n" +
		"Example-Header: of, commas\r\n" +
		"\r\n"
	r := readRequest(t, raw)
	input := `s=("@method" "@target-uri" "@authority" "@scheme" "@request-target" "@path" "@query" ` +
		`"@query-param";name="var" "@query-param";name="bar" "@query-param";name="fa%C3%A7ade%22%3A%20" ` +
		`"example-dict";sf "example-dict";key="b" "example-header" "example-header";bs);keyid="k"`
	sigs, err := ParseRFC9421([]string{input}, []string{`s=:AQID:`})
	if err != nil {
		t.Fatal(err)
	}
	base, err := signatureBase(r, NewVerifier(nil).messageContext(r), sigs[0])
	if err != nil {
		t.Fatal(err)
	}
	want := `"@method": POST
"@target-uri": https://www.example.com/path/%C3%BC?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&bar=two
"@authority": www.example.com
"@scheme": https
"@request-target": /path/%C3%BC?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&bar=two
"@path": /path/%C3%BC
"@query": ?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something&bar=two
"@query-param";name="var": this%20is%20a%20big%0Amultiline%20value
"@query-param";name="bar": with%20plus%20whitespace
"@query-param";name="bar": two
"@query-param";name="fa%C3%A7ade%22%3A%20": something
"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)
"example-dict";key="b": 2;x=1;y=2
"example-header": value, with, lots, of, commas
"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:
"@signature-params": ` + sigs[0].SignatureParams()
	if base != want {
		t.Errorf("base:\n%s\nwant:\n%s", base, want)
	}
	for _, in := range []string{
		`s=("@status");keyid="k"`,
		`s=("@unknown");keyid="k"`,
		`s=("@method";req);keyid="k"`,
		`s=("@query-param");keyid="k"`,
		`s=("@method";sf);keyid="k"`,
		`s=("example-header";name="x");keyid="k"`,
		`s=("example-header";bs;sf);keyid="k"`,
	} {
		sigs, err := ParseRFC9421([]string{in}, []string{`s=:AQID:`})
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if _, err := signatureBase(r, messageContext{scheme: "https", authority: "x"}, sigs[0]); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: err = %v, want ErrMalformed", in, err)
		}
	}
	for _, in := range []string{`s=("x-missing");keyid="k"`, `s=("@query-param";name="nope");keyid="k"`, `s=("example-dict";key="zz");keyid="k"`} {
		sigs, _ := ParseRFC9421([]string{in}, []string{`s=:AQID:`})
		if _, err := signatureBase(r, messageContext{scheme: "https", authority: "x"}, sigs[0]); !errors.Is(err, ErrMissingHeaders) {
			t.Errorf("%s: err = %v, want ErrMissingHeaders", in, err)
		}
	}
}
