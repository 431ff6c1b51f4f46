package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRunSmall runs the harness on a tiny data set and burst.
func TestRunSmall(t *testing.T) {
	c := config{Statuses: 200, Accounts: 20, Followed: 5, Uploads: 4, Uploaders: 2, Width: 400, Height: 300,
		Probes: 1, Baseline: 200 * time.Millisecond, GoalP99: 10 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	r, err := run(ctx, c)
	require.NoError(t, err)
	assert.Len(t, r.Uploads, 4)
	assert.Zero(t, r.UploadErrors)
	assert.Zero(t, r.ProbeErrs)
	assert.NotEmpty(t, r.Baseline)
	var out bytes.Buffer
	r.print(&out, c)
	assert.Contains(t, out.String(), "home timeline during the burst")
}
