package main

import "github.com/herd-social/herd/social"

// cliURLs is the URL layout for an administration command: flag is its
// --public-url, else HERD_PUBLIC_URL, else http://localhost:8080.
func cliURLs(flag string, getenv func(string) string) (*social.URLs, error) {
	pub := flag
	if pub == "" {
		pub = getenv("HERD_PUBLIC_URL")
	}
	if pub == "" {
		pub = "http://localhost:8080"
	}
	return social.NewURLs(pub)
}
