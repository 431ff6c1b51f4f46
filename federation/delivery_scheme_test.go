package federation_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/federation/signature"
	"github.com/herd-social/herd/storage"
)

// Starting on RFC 9421 (DelivererOptions.Scheme), a host that refuses it is
// knocked on once more with draft-cavage, and only once: the choice is
// remembered (HostScheme).
func TestDelivererStartsOnRFC9421AndFallsBack(t *testing.T) {
	st := openStore(t)
	in := newInbox(t)
	var refused atomic.Int32
	in.handler = func(w http.ResponseWriter, r *http.Request) bool {
		if r.Header.Get("Signature-Input") != "" {
			refused.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	}
	d := federation.NewDeliverer(st.Deliveries(), loopbackClient(), fixedSigners{newSigner(t)},
		&federation.DelivererOptions{Scheme: signature.SchemeRFC9421, PollInterval: 10 * time.Millisecond})
	host := strings.TrimPrefix(in.srv.URL, "http://")
	assert.Equal(t, signature.SchemeRFC9421, d.HostScheme(host))
	run(t, d)
	for i := range 3 {
		require.NoError(t, d.Deliver(context.Background(), &storage.OutgoingActivity{URI: fmt.Sprint(i), Body: []byte("{}"), Inboxes: []string{in.srv.URL + "/inbox"}}))
		require.Eventually(t, func() bool { return in.count() == i+1 }, 10*time.Second, 10*time.Millisecond)
	}
	assert.Equal(t, int32(1), refused.Load())
	assert.Equal(t, signature.SchemeCavage, d.HostScheme(host))
	assert.Equal(t, signature.SchemeRFC9421, d.HostScheme("other.example"), "unknown hosts start on the configured scheme")
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, h := range in.headers {
		assert.NotEmpty(t, h.Get("Signature"))
		assert.Empty(t, h.Get("Signature-Input"))
	}
}
