package main

import (
	"bytes"
	"context"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAnnouncementCommands(t *testing.T) {
	e := env(map[string]string{"HERD_DATA": t.TempDir()})
	ctx := context.Background()
	var out, errs bytes.Buffer
	code := run(ctx, []string{"announcement", "create", "--text", "Maintenance tonight", "--starts-at", "2030-05-01", "--ends-at", "2030-05-02"}, e, &out, &errs)
	require.Equal(t, 0, code, errs.String())
	m := regexp.MustCompile(`created announcement (\d+) \(published\)`).FindStringSubmatch(out.String())
	require.NotNil(t, m, out.String())
	id := m[1]

	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"announcement", "create", "--text", "later", "--draft"}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), "(draft)")

	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"announcement", "list"}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), id)
	assert.Contains(t, out.String(), "Maintenance tonight")
	assert.Contains(t, out.String(), "2030-05-01T00:00:00Z")
	assert.Contains(t, out.String(), "draft")

	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"announcement", "delete", id}, e, &out, &errs), errs.String())
	assert.Contains(t, out.String(), "deleted announcement "+id)
	out.Reset()
	require.Equal(t, 0, run(ctx, []string{"announcement", "list"}, e, &out, &errs))
	assert.NotContains(t, out.String(), "Maintenance tonight")

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"announcement", "create"}, "--text is required"},
		{[]string{"announcement", "create", "--text", "x", "--starts-at", "tomorrow"}, "want an RFC 3339 time"},
		{[]string{"announcement", "create", "--text", "x", "--starts-at", "2030-05-02", "--ends-at", "2030-05-01"}, "ends before it starts"},
		{[]string{"announcement", "delete"}, "ID is required"},
		{[]string{"announcement", "delete", "abc"}, "not an announcement ID"},
		{[]string{"announcement", "delete", id}, "no announcement " + id},
	} {
		errs.Reset()
		assert.Equal(t, 1, run(ctx, c.args, e, &out, &errs), "%v", c.args)
		assert.Contains(t, errs.String(), c.want, "%v", c.args)
	}
	errs.Reset()
	assert.Equal(t, 2, run(ctx, []string{"announcement", "frobnicate"}, e, &out, &errs))
}
