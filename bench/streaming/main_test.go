package main

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	if serveChild() {
		return
	}
	os.Exit(m.Run())
}

// TestHarness runs the harness at a small scale.
func TestHarness(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, stream := range []string{"user", "public"} {
		if err := run(ctx, 20, 3, stream, 2, 10*time.Millisecond, 4); err != nil {
			t.Fatalf("%s: %v", stream, err)
		}
	}
}
