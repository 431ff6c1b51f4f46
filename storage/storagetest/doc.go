// Package storagetest is the conformance suite that every storage.Store
// backend passes, and the storage benchmarks shared by the backends.
//
// A backend's test calls Run with a function that opens a fresh, empty,
// migrated store for each call:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storage.Store {
//			s, err := mybackend.Open(t.Context(), newEmptyDatabase(t), nil)
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { s.Close() })
//			return s
//		})
//	}
//
// The suite runs its groups in parallel (each on its own store), so open
// must be safe to call from several goroutines and return isolated stores.
//
// The benchmarks (BenchmarkInsertStatus, BenchmarkHomePage) take an opened
// store; SeedHome fills one with a large home-timeline data set through raw
// multi-row INSERT statements.
package storagetest
