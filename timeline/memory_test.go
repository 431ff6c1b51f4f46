package timeline_test

import (
	"testing"

	"github.com/herd-social/herd/timeline"
	"github.com/herd-social/herd/timeline/hubtest"
)

func TestMemoryHubConformance(t *testing.T) {
	hubtest.Run(t, func(t *testing.T, n int) []timeline.Hub {
		h := timeline.NewMemoryHub()
		t.Cleanup(func() { h.Close() })
		hubs := make([]timeline.Hub, n)
		for i := range hubs {
			hubs[i] = h
		}
		return hubs
	})
}
