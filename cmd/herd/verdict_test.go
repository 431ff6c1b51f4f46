package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/herd-social/herd/federation"
	"github.com/herd-social/herd/moderation"
)

// TestVerdictsInStep guards inboxPolicy's conversion: moderation.Verdict
// and federation.Verdict are separate types (moderation sits below
// federation and does not import it) that must keep the same values.
func TestVerdictsInStep(t *testing.T) {
	pairs := []struct {
		m moderation.Verdict
		f federation.Verdict
	}{
		{moderation.VerdictAccept, federation.VerdictAccept},
		{moderation.VerdictReject, federation.VerdictReject},
		{moderation.VerdictDrop, federation.VerdictDrop},
	}
	for _, p := range pairs {
		assert.Equal(t, p.f, federation.Verdict(p.m))
		assert.Equal(t, p.f.String(), p.m.String())
	}
}
