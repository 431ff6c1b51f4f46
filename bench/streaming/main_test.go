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
	for _, c := range []struct{ stream, client string }{{"user", "raw"}, {"public", "raw"}, {"user", "websocket"}} {
		if err := run(ctx, 20, 3, c.stream, 2, 10*time.Millisecond, 4, c.client); err != nil {
			t.Fatalf("%s, %s client: %v", c.stream, c.client, err)
		}
	}
}
