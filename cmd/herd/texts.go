package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// maxTextFile bounds the instance text files (extended description,
// privacy policy, terms of service).
const maxTextFile = 1 << 20

// instanceTexts are the texts of the instance's about pages, read from the
// files the configuration names.
type instanceTexts struct {
	extended, privacy, terms         string
	extendedAt, privacyAt, termsDate time.Time
}

// readTextFile reads one text file ("" when path is empty) and its
// modification time.
func readTextFile(flag, path string) (string, time.Time, error) {
	if path == "" {
		return "", time.Time{}, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("--%s: %w", flag, err)
	}
	if fi.Size() > maxTextFile {
		return "", time.Time{}, fmt.Errorf("--%s %s: larger than %d bytes", flag, path, maxTextFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("--%s: %w", flag, err)
	}
	return string(b), fi.ModTime().UTC(), nil
}

// instanceTexts reads --extended-description-file, --privacy-policy-file
// and --terms-of-service-file, and parses --terms-of-service-date (default
// the terms file's modification day).
func (c *config) instanceTexts() (instanceTexts, error) {
	var t instanceTexts
	var err error
	if t.extended, t.extendedAt, err = readTextFile("extended-description-file", c.ExtendedDescriptionFile); err != nil {
		return t, err
	}
	if t.privacy, t.privacyAt, err = readTextFile("privacy-policy-file", c.PrivacyPolicyFile); err != nil {
		return t, err
	}
	var termsAt time.Time
	if t.terms, termsAt, err = readTextFile("terms-of-service-file", c.TermsOfServiceFile); err != nil {
		return t, err
	}
	if d := strings.TrimSpace(c.TermsOfServiceDate); d != "" {
		if termsAt, err = time.Parse(time.DateOnly, d); err != nil {
			return t, fmt.Errorf("--terms-of-service-date %q: want YYYY-MM-DD", d)
		}
	}
	t.termsDate = termsAt
	return t, nil
}
