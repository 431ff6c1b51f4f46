// Package hubtest is the conformance suite every timeline.Hub passes.
package hubtest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/timeline"
)

// Run checks a hub. newHubs returns n hubs that share one bus (for an
// in-process hub, the same hub n times; for a distributed one, n
// independent instances as in n processes).
func Run(t *testing.T, newHubs func(t *testing.T, n int) []timeline.Hub) {
	ctx := context.Background()
	recv := func(t *testing.T, s timeline.Subscription) timeline.Message {
		t.Helper()
		select {
		case m, ok := <-s.C():
			require.True(t, ok, "subscription closed: %v", s.Err())
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("no message within 5s")
		}
		return timeline.Message{}
	}
	none := func(t *testing.T, s timeline.Subscription) {
		t.Helper()
		select {
		case m, ok := <-s.C():
			if ok {
				t.Fatalf("unexpected message %+v", m)
			}
		case <-time.After(150 * time.Millisecond):
		}
	}

	t.Run("PublishReachesSubscribersOfTheChannelOnly", func(t *testing.T) {
		hubs := newHubs(t, 2)
		a, err := hubs[0].Subscribe(ctx, 0, "user:1", "public")
		require.NoError(t, err)
		defer a.Close()
		b, err := hubs[1].Subscribe(ctx, 0, "user:2")
		require.NoError(t, err)
		defer b.Close()
		require.NoError(t, hubs[1].Publish(ctx, timeline.Message{Channel: "user:1", Event: "update", Data: "42"}))
		assert.Equal(t, timeline.Message{Channel: "user:1", Event: "update", Data: "42"}, recv(t, a))
		none(t, b)
		require.NoError(t, hubs[0].Publish(ctx, timeline.Message{Channel: "user:2", Event: "delete", Data: "7"}))
		assert.Equal(t, "7", recv(t, b).Data)
	})

	t.Run("AddRemoveAndOrder", func(t *testing.T) {
		hubs := newHubs(t, 2)
		s, err := hubs[0].Subscribe(ctx, 0)
		require.NoError(t, err)
		defer s.Close()
		require.NoError(t, s.Add("hashtag:go", "hashtag:local:go"))
		assert.ElementsMatch(t, []string{"hashtag:go", "hashtag:local:go"}, s.Channels())
		msgs := make([]timeline.Message, 20)
		for i := range msgs {
			msgs[i] = timeline.Message{Channel: "hashtag:go", Event: "update", Data: fmt.Sprint(i)}
		}
		require.NoError(t, hubs[1].Publish(ctx, msgs...))
		for i := range msgs {
			assert.Equal(t, fmt.Sprint(i), recv(t, s).Data)
		}
		require.NoError(t, s.Remove("hashtag:go"))
		require.NoError(t, hubs[1].Publish(ctx, timeline.Message{Channel: "hashtag:go", Event: "update", Data: "x"}))
		none(t, s)
	})

	t.Run("SlowSubscriberIsDroppedWithoutBlocking", func(t *testing.T) {
		hubs := newHubs(t, 1)
		slow, err := hubs[0].Subscribe(ctx, 2, "public")
		require.NoError(t, err)
		fast, err := hubs[0].Subscribe(ctx, 100, "public")
		require.NoError(t, err)
		defer fast.Close()
		for i := 0; i < 10; i++ {
			require.NoError(t, hubs[0].Publish(ctx, timeline.Message{Channel: "public", Event: "update", Data: fmt.Sprint(i)}))
		}
		for i := 0; i < 10; i++ {
			assert.Equal(t, fmt.Sprint(i), recv(t, fast).Data)
		}
		require.Eventually(t, func() bool { return slow.Err() != nil }, 5*time.Second, 10*time.Millisecond)
		assert.ErrorIs(t, slow.Err(), timeline.ErrSlowSubscriber)
		for range slow.C() { // drains, then ends: the channel is closed
		}
	})

	t.Run("CloseEndsSubscription", func(t *testing.T) {
		hubs := newHubs(t, 1)
		s, err := hubs[0].Subscribe(ctx, 0, "public")
		require.NoError(t, err)
		s.Close()
		_, ok := <-s.C()
		assert.False(t, ok)
		assert.ErrorIs(t, s.Err(), timeline.ErrSubscriptionDone)
		s.Close() // twice is fine
		assert.Error(t, s.Add("user:1"))
	})

	t.Run("BadInput", func(t *testing.T) {
		hubs := newHubs(t, 1)
		assert.ErrorIs(t, hubs[0].Publish(ctx, timeline.Message{Channel: "", Event: "update"}), timeline.ErrInvalidChannel)
		assert.ErrorIs(t, hubs[0].Publish(ctx, timeline.Message{Channel: "has space", Event: "update"}), timeline.ErrInvalidChannel)
		big := make([]byte, timeline.MaxDataLen+1)
		assert.ErrorIs(t, hubs[0].Publish(ctx, timeline.Message{Channel: "public", Event: "update", Data: string(big)}), timeline.ErrMessageTooLarge)
		_, err := hubs[0].Subscribe(ctx, 0, "bad\nchannel")
		assert.ErrorIs(t, err, timeline.ErrInvalidChannel)
	})

	t.Run("ManySubscribersConcurrentPublishers", func(t *testing.T) {
		hubs := newHubs(t, 2)
		const subs, pubs, each = 50, 4, 25
		var all []timeline.Subscription
		for i := 0; i < subs; i++ {
			s, err := hubs[i%2].Subscribe(ctx, pubs*each, "public:local")
			require.NoError(t, err)
			defer s.Close()
			all = append(all, s)
		}
		var wg sync.WaitGroup
		for p := 0; p < pubs; p++ {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				for i := 0; i < each; i++ {
					assert.NoError(t, hubs[p%2].Publish(ctx, timeline.Message{Channel: "public:local", Event: "update", Data: fmt.Sprint(p, "-", i)}))
				}
			}(p)
		}
		wg.Wait()
		for _, s := range all {
			got := map[string]bool{}
			for len(got) < pubs*each {
				got[recv(t, s).Data] = true
			}
		}
	})

	t.Run("HubCloseEndsSubscriptions", func(t *testing.T) {
		hubs := newHubs(t, 1)
		s, err := hubs[0].Subscribe(ctx, 0, "public")
		require.NoError(t, err)
		require.NoError(t, hubs[0].Close())
		_, ok := <-s.C()
		assert.False(t, ok)
		assert.ErrorIs(t, s.Err(), timeline.ErrClosed)
	})
}
