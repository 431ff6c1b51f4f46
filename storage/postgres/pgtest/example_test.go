package pgtest_test

import (
	"testing"

	"github.com/herd-social/herd/storage/postgres/pgtest"
)

func TestOpen(t *testing.T) {
	st := pgtest.Open(t, "herd_pgtest_")
	if err := st.Ping(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Jobs().Get(t.Context(), "none", 1); err == nil {
		t.Fatal("a fresh schema has no jobs")
	}
}
