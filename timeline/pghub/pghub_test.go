package pghub_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	_ "github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/timeline"
	"github.com/herd-social/herd/timeline/hubtest"
	"github.com/herd-social/herd/timeline/pghub"
)

func dsn(t *testing.T) string {
	d := os.Getenv("HERD_TEST_POSTGRES_DSN")
	if d == "" {
		if os.Getenv("HERD_TEST_REQUIRE_POSTGRES") == "1" {
			t.Fatal("HERD_TEST_POSTGRES_DSN is not set but HERD_TEST_REQUIRE_POSTGRES=1")
		}
		t.Skip("HERD_TEST_POSTGRES_DSN not set: skipping PostgreSQL hub tests")
	}
	return d
}

var seq atomic.Int64

func TestPostgresHubConformance(t *testing.T) {
	d := dsn(t)
	hubtest.Run(t, func(t *testing.T, n int) []timeline.Hub {
		// A channel of its own per case keeps cases apart on one database.
		ch := fmt.Sprintf("herd_test_%d_%d", os.Getpid(), seq.Add(1))
		hubs := make([]timeline.Hub, n)
		for i := range hubs {
			db, err := sql.Open("postgres", d)
			require.NoError(t, err)
			t.Cleanup(func() { db.Close() })
			h, err := pghub.New(context.Background(), db, d, &pghub.Options{Channel: ch})
			require.NoError(t, err)
			t.Cleanup(func() { h.Close() })
			hubs[i] = h
		}
		return hubs
	})
}
