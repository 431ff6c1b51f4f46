package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestInstanceTextFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	about, privacy, terms := write("about.html", "<p>About</p>"), write("privacy.txt", "Private."), write("terms.txt", "Terms.")
	mtime := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	require.NoError(t, os.Chtimes(terms, mtime, mtime))
	parse := func(args []string, vars map[string]string) (config, error) {
		var c config
		fs := newFlagSet("serve", &bytes.Buffer{})
		registerFlags(fs, &c, true)
		require.NoError(t, fs.Parse(append([]string{"--data", dir}, args...)))
		return c, resolveConfig(fs, &c, env(vars), true)
	}

	c, err := parse([]string{"--extended-description-file", about, "--terms-of-service-file", terms},
		map[string]string{"HERD_PRIVACY_POLICY_FILE": privacy})
	require.NoError(t, err)
	texts, err := c.instanceTexts()
	require.NoError(t, err)
	assert.Equal(t, "<p>About</p>", texts.extended)
	assert.Equal(t, "Private.", texts.privacy)
	assert.Equal(t, "Terms.", texts.terms)
	assert.False(t, texts.extendedAt.IsZero())
	assert.Equal(t, mtime, texts.termsDate, "the terms file's modification time by default")

	c, err = parse([]string{"--terms-of-service-file", terms, "--terms-of-service-date", "2025-04-15"}, nil)
	require.NoError(t, err)
	texts, err = c.instanceTexts()
	require.NoError(t, err)
	assert.Equal(t, time.Date(2025, 4, 15, 0, 0, 0, 0, time.UTC), texts.termsDate)

	_, err = parse([]string{"--terms-of-service-date", "15/04/2025"}, nil)
	assert.ErrorContains(t, err, "--terms-of-service-date")
	_, err = parse([]string{"--privacy-policy-file", filepath.Join(dir, "missing")}, nil)
	assert.ErrorContains(t, err, "--privacy-policy-file")
}
