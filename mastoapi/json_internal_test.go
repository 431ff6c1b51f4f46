package mastoapi

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestAppendTime checks the fast datetime formatter against the layout.
func TestAppendTime(t *testing.T) {
	check := func(tm time.Time) {
		t.Helper()
		if got, want := string(appendTime(nil, tm)), tm.UTC().Format(timeLayout); got != want {
			t.Fatalf("appendTime(%v) = %s, want %s", tm, got, want)
		}
	}
	check(time.Time{})
	check(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC))
	check(time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC))
	check(time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC))
	check(time.Date(2026, 11, 25, 19, 7, 41, 5_000_000, time.FixedZone("x", -5*3600)))
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 10000; i++ {
		check(time.Unix(r.Int64N(400_000_000_000)-200_000_000_000, r.Int64N(1e9)))
	}
}

func BenchmarkTimeMarshalText(b *testing.B) {
	tm := Time(time.Date(2026, 11, 25, 19, 7, 41, 5_000_000, time.UTC))
	b.ReportAllocs()
	for b.Loop() {
		_, _ = tm.MarshalText()
	}
}
