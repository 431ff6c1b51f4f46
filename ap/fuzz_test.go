package ap

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzDecode checks that Decode never panics, fails only with its documented
// errors, and that for accepted input Encode succeeds, produces valid JSON,
// and decode→encode→decode→encode is stable.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		``, `{}`, `[]`, `null`, `{"id":1}`, `{"content":"\ud800\udc00\ud800"}`,
		`{"type":["a","b"],"to":"x","tag":{},"url":[{"href":"h"}],"closed":true}`,
		`{"published":"2024-01-01T00:00:00+23:59","focalPoint":[1e-7,1e20]}`,
		`{"endpoints":"x","publicKey":[{"id":"k","owner":{"id":"o"}}],"icon":[null,"a"]}`,
		`{"type":"as:toot:as:Emoji"}`,
		`{"width":1e3,"totalItems":-0,"votersCount":0.0,"x":[{"y":-1.5E+3}]}`,
	} {
		f.Add([]byte(s))
	}
	relaxed := DecodeOptions{MaxDepth: 2*DefaultMaxDepth + 2, MaxBytes: 64 << 20}
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := Decode(data)
		if err != nil {
			if o != nil {
				t.Fatal("non-nil object with error")
			}
			for _, want := range []error{ErrSyntax, ErrNotObject, ErrTooDeep, ErrTooLarge, ErrInvalidValue} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("undocumented error: %v", err)
		}
		enc1, err := Encode(o)
		if err != nil {
			t.Fatalf("encode accepted input: %v", err)
		}
		if !json.Valid(enc1) {
			t.Fatalf("invalid JSON: %s", enc1)
		}
		// Encode writes some single values as arrays (to, tag…), so its
		// output may nest deeper than the input: re-decode with room for it.
		o2, err := DecodeWith(enc1, &relaxed)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, enc1)
		}
		enc2, err := Encode(o2)
		if err != nil {
			t.Fatalf("re-encode: %v", err)
		}
		if !bytes.Equal(enc1, enc2) {
			t.Fatalf("unstable round trip:\n%s\n%s", enc1, enc2)
		}
	})
}
