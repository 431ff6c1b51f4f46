package storagetest_test

import (
	"path/filepath"
	"testing"

	"github.com/herd-social/herd/storage"
	"github.com/herd-social/herd/storage/sqlite"
	"github.com/herd-social/herd/storage/storagetest"
)

// A backend passes the conformance suite from its own test file; open
// returns a fresh, empty, migrated store for each call.
func ExampleRun() {
	_ = func(t *testing.T) { // func TestConformance(t *testing.T)
		storagetest.Run(t, func(t *testing.T) storage.Store {
			s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "herd.db"), nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	}
}

// The benchmarks take an opened store; BenchmarkHomePage needs one seeded
// with SeedHome through the backend's raw handle.
func ExampleBenchmarkHomePage() {
	_ = func(b *testing.B) { // func BenchmarkHomePage(b *testing.B)
		s, err := sqlite.Open(b.Context(), filepath.Join(b.TempDir(), "herd.db"), nil)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		fx, err := storagetest.SeedHome(b.Context(), s.DB(), storagetest.SmallHomeSeed())
		if err != nil {
			b.Fatal(err)
		}
		storagetest.BenchmarkHomePage(b, s, fx)
	}
}
